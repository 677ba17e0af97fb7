package dev.keytrust.agent.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A duration option: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or plain seconds; above 0, at most 24 h. */
final class IntervalConverter implements ITypeConverter<Duration> {
  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");
  private static final Duration MAX = Duration.ofHours(24);

  @Override
  public Duration convert(String value) {
    Matcher m = FORM.matcher(value.trim());
    if (!m.matches()) {
      throw new TypeConversionException("'" + value + "' is not a duration: give e.g. 30s, 500ms, 2m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration d = switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
    if (d.isZero() || d.compareTo(MAX) > 0) {
      throw new TypeConversionException("'" + value + "' must be above 0 and at most 24h");
    }
    return d;
  }
}
