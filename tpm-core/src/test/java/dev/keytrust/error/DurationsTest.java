package dev.keytrust.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void readsLikePeopleWriteIt() {
    assertThat(Durations.human(Duration.ZERO)).isEqualTo("0 s");
    assertThat(Durations.human(Duration.ofSeconds(-5))).isEqualTo("0 s");
    assertThat(Durations.human(Duration.ofMillis(41_001))).isEqualTo("42 s");
    assertThat(Durations.human(Duration.ofSeconds(580))).isEqualTo("9 min 40 s");
    assertThat(Durations.human(Duration.ofMinutes(15))).isEqualTo("15 min");
    assertThat(Durations.human(Duration.ofSeconds(1000))).isEqualTo("16 min 40 s");
    assertThat(Durations.human(Duration.ofMinutes(62))).isEqualTo("1 h 2 min");
    assertThat(Durations.human(Duration.ofHours(24).minusSeconds(1))).isEqualTo("23 h 59 min");
    assertThat(Durations.human(Duration.ofHours(24))).isEqualTo("1 d");
    assertThat(Durations.human(Duration.ofHours(24 * 30 + 5).plusMinutes(9))).isEqualTo("30 d 5 h");
  }
}
