package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes {@code push} providers. Settings: {@code url} (required, the service's base URL), {@code
 * token-file}, {@code ca-file}, {@code poll-interval} and {@code request-timeout} (durations such as
 * {@code 500ms}, {@code 2s}, {@code 1m} or ISO-8601 {@code PT2S}). See {@link PushSettings}.
 */
public final class PushProviderFactory implements MfaProviderFactory {
  private static final Pattern SIMPLE_DURATION = Pattern.compile("([0-9]{1,6})(ms|s|m)");

  @Override
  public String name() {
    return PushMfaProvider.NAME;
  }

  @Override
  public Set<String> settingNames() {
    return Set.of("url", "token-file", "ca-file", "poll-interval", "request-timeout");
  }

  @Override
  public MfaProvider create(MfaSettings settings, MfaContext context) throws AgentException {
    String url = settings.get("url").orElseThrow(() -> bad("The MFA method push needs the setting url: the base"
        + " URL of the MFA service, like https://mfa.example.com."));
    try {
      PushSettings s = new PushSettings(
          new URI(url),
          settings.get("token-file").map(Path::of),
          settings.get("ca-file").map(Path::of),
          duration(settings.get("poll-interval"), "poll-interval").orElse(PushSettings.DEFAULT_POLL_INTERVAL),
          duration(settings.get("request-timeout"), "request-timeout").orElse(PushSettings.DEFAULT_REQUEST_TIMEOUT));
      return new PushMfaProvider(s);
    } catch (URISyntaxException e) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The push url '" + url + "' is not a URL ("
          + e.getReason() + "): give one like https://mfa.example.com.", e);
    } catch (IllegalArgumentException e) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The settings of the MFA method push are not usable: "
          + e.getMessage() + ".", e);
    }
  }

  /** {@code 500ms}, {@code 2s}, {@code 1m}, or ISO-8601 ({@code PT2S}). */
  static Optional<Duration> duration(Optional<String> text, String name) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String t = text.get().trim().toLowerCase(Locale.ROOT);
    Matcher m = SIMPLE_DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return Optional.of(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      });
    }
    try {
      return Optional.of(Duration.parse(text.get().trim()));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " '" + text.get() + "' is not a duration (like 500ms, 2s, 1m"
          + " or PT2S)");
    }
  }

  private static AgentException bad(String message) {
    return new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, message);
  }
}
