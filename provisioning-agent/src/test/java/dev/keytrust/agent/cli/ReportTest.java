package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReportTest {

  @Test
  void rightAlignsNamesAcrossSectionsUnderBoxedTitles() {
    String text = new Report()
        .section("TPM")
        .row("Manufacturer", "IBM")
        .section("Dictionary attack")
        .row("In lockout", Report.yesNo(false))
        .render();
    String border = "+" + "-".repeat(70) + "+";
    assertThat(text).isEqualTo(border + "\n"
        + "| TPM" + " ".repeat(65) + " |\n"
        + border + "\n\n"
        + " Manufacturer : IBM\n"
        + "\n"
        + border + "\n"
        + "| Dictionary attack" + " ".repeat(51) + " |\n"
        + border + "\n\n"
        + "   In lockout : NO\n");
  }

  @Test
  void wrapsLongListsAtCommasUnderTheValueColumn() {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      list.append(i == 0 ? "" : ", ").append("ALG_").append(i);
    }
    String text = new Report().section("A").row("Algorithms", list).render();
    String[] lines = text.split("\n");
    assertThat(lines.length).isGreaterThan(5);
    for (String line : lines) {
      assertThat(line.length()).isLessThanOrEqualTo(100);
    }
    assertThat(lines[5]).startsWith("              ALG_");
    assertThat(text.replaceAll("\n +", " ")).contains(list.toString());
  }

  @Test
  void durationsReadLikePeopleWriteThem() {
    assertThat(Report.duration(Duration.ZERO)).isEqualTo("0s");
    assertThat(Report.duration(Duration.ofSeconds(12))).isEqualTo("12s");
    assertThat(Report.duration(Duration.ofMillis(11_200))).isEqualTo("12s");
    assertThat(Report.duration(Duration.ofSeconds(580))).isEqualTo("9m 40s");
    assertThat(Report.duration(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(Report.duration(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(Report.duration(Duration.ofMinutes(90))).isEqualTo("1h 30m");
    assertThat(Report.duration(Duration.ofSeconds(-5))).isEqualTo("0s");
  }
}
