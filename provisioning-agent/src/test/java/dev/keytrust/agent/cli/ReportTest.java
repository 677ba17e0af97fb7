package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
}
