package dev.keytrust.agent.endpoint.drs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retry-After (RFC 9110 §10.2.3): delay-seconds and the three HTTP-date forms. */
class DrsRetryAfterTest {
  /** Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example date. */
  private static final Instant RFC_EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

  @Test
  void delaySeconds() {
    Instant now = Instant.now();
    assertThat(RetryAfter.parse("120", now)).contains(Duration.ofSeconds(120));
    assertThat(RetryAfter.parse("0", now)).contains(Duration.ZERO);
    assertThat(RetryAfter.parse(" 3 ", now)).contains(Duration.ofSeconds(3));
  }

  @Test
  void delaySeconds_hugeValuesAreCapped() {
    assertThat(RetryAfter.parse("9999999999", Instant.now())).contains(RetryAfter.MAX);
  }

  @Test
  void imfFixdate_isMeasuredFromNow() {
    Instant now = RFC_EXAMPLE.minusSeconds(90);
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now)).contains(Duration.ofSeconds(90));
  }

  @Test
  void rfc850AndAsctimeForms() {
    Instant now = RFC_EXAMPLE.minusSeconds(5);
    assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now)).contains(Duration.ofSeconds(5));
    assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now)).contains(Duration.ofSeconds(5));
  }

  @Test
  void rfc850TwoDigitYear_isInTheCenturyThatIsNotMoreThan50YearsAhead() {
    Instant now = Instant.parse("2030-11-05T12:00:00Z");
    // 06-Nov-30 is 2030 (12 hours ahead, under the cap), 06-Nov-99 is 1999 (2099 would be 69 years ahead)
    assertThat(RetryAfter.parse("Wednesday, 06-Nov-30 00:00:00 GMT", now))
        .contains(Duration.between(now, Instant.parse("2030-11-06T00:00:00Z")));
    assertThat(RetryAfter.parse("Saturday, 06-Nov-99 00:00:00 GMT", now)).contains(Duration.ZERO);
  }

  @Test
  void aDateInThePast_meansNoWait() {
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE.plusSeconds(1)))
        .contains(Duration.ZERO);
  }

  @Test
  void aDateFarAhead_isCapped() {
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE.minusSeconds(10 * 86_400)))
        .contains(RetryAfter.MAX);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "soon",
        "-5",
        "1.5",
        "+3",
        "12345678901",
        "Mon, 06 Nov 1994 08:49:37 GMT", // wrong day name
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "2024-01-01T00:00:00Z",
      })
  void anythingElse_isIgnored(String value) {
    assertThat(RetryAfter.parse(value, RFC_EXAMPLE)).isEmpty();
  }

  @Test
  void absentHeader_isEmpty() {
    assertThat(RetryAfter.parse(null, RFC_EXAMPLE)).isEmpty();
  }
}
