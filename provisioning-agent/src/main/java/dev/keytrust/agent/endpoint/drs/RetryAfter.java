package dev.keytrust.agent.endpoint.drs;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Retry-After} response header (RFC 9110 §10.2.3): {@code delay-seconds} or an
 * HTTP-date. All three date forms a recipient must accept are read (RFC 9110 §5.6.7): IMF-fixdate
 * {@code Sun, 06 Nov 1994 08:49:37 GMT}, the obsolete RFC 850 form {@code Sunday, 06-Nov-94
 * 08:49:37 GMT} and asctime {@code Sun Nov  6 08:49:37 1994}.
 */
final class RetryAfter {
  /** Longer values are taken as this: the retry budget decides whether to wait that long. */
  static final Duration MAX = Duration.ofDays(1);

  private static final Pattern SECONDS = Pattern.compile("\\d{1,10}");
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'", Locale.ROOT);
  private static final Pattern RFC_850 =
      Pattern.compile(
          "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
              + "(\\d{2})-([A-Z][a-z]{2})-(\\d{2}) (\\d{2}:\\d{2}:\\d{2}) GMT");
  private static final DateTimeFormatter RFC_850_REST =
      DateTimeFormatter.ofPattern("dd-MMM-uuuu HH:mm:ss", Locale.ROOT);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss uuuu", Locale.ROOT);

  private RetryAfter() {}

  /**
   * How long the server asks the client to wait, measured from {@code now}: zero for a date in
   * the past, at most {@link #MAX}; empty when the value is not one of the forms above (the caller
   * then uses its own backoff).
   */
  static Optional<Duration> parse(String value, Instant now) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.strip();
    if (SECONDS.matcher(v).matches()) {
      long seconds = Long.parseLong(v);
      return Optional.of(seconds >= MAX.toSeconds() ? MAX : Duration.ofSeconds(seconds));
    }
    return date(v, now).map(at -> clamp(Duration.between(now, at)));
  }

  private static Duration clamp(Duration d) {
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(MAX) > 0 ? MAX : d;
  }

  private static Optional<Instant> date(String v, Instant now) {
    try {
      // the resolver also checks that the day name fits the date
      return Optional.of(LocalDateTime.parse(v, IMF_FIXDATE).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      // not IMF-fixdate: try the obsolete forms
    }
    Matcher m = RFC_850.matcher(v);
    if (m.matches()) {
      try {
        int yy = Integer.parseInt(m.group(4));
        // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century
        int thisYear = now.atZone(ZoneOffset.UTC).getYear();
        int year = thisYear / 100 * 100 + yy;
        if (year > thisYear + 50) {
          year -= 100;
        }
        String rest = m.group(2) + "-" + m.group(3) + "-" + year + " " + m.group(5);
        return Optional.of(LocalDateTime.parse(rest, RFC_850_REST).toInstant(ZoneOffset.UTC));
      } catch (DateTimeException | NumberFormatException e) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(LocalDateTime.parse(v, ASCTIME).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
