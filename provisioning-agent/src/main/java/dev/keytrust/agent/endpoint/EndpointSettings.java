package dev.keytrust.agent.endpoint;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named settings for an endpoint, such as {@code token-file=/run/keytrust/token} or
 * {@code ca-file=/etc/keytrust/ca.pem}. Values are references (paths, variable names, commands),
 * never secrets themselves, so they may be shown and logged.
 *
 * @param values the settings by name
 */
public record EndpointSettings(Map<String, String> values) {

  public EndpointSettings {
    values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /** No settings. */
  public static EndpointSettings none() {
    return new EndpointSettings(Map.of());
  }

  /** The value of a setting, if given. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /**
   * A true/false setting (case and surrounding blanks ignored), if given.
   *
   * @throws IllegalArgumentException when it is given and is neither
   */
  public Optional<Boolean> bool(String name) {
    return get(name).map(v -> switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(name + " is neither true nor false");
    });
  }

  /**
   * A duration setting written {@code <n>s}, {@code <n>ms} or plain seconds {@code <n>} (at most 9
   * digits), if given. Bounds are the caller's.
   *
   * @throws IllegalArgumentException when it is given in another form
   */
  public Optional<Duration> duration(String name) {
    return get(name).map(v -> {
      Matcher m = DURATION.matcher(v.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException(name + " is not <n>s, <n>ms or <n>");
      }
      long n = Long.parseLong(m.group(1));
      return "ms".equals(m.group(2)) ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    });
  }

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s)?");
}
