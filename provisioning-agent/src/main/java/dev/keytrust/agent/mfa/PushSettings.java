package dev.keytrust.agent.mfa;

import dev.keytrust.agent.internal.Loopback;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the {@code push} method talks to its MFA service (protocol in docs/mfa-and-pin.md).
 *
 * @param baseUri the service, e.g. {@code https://mfa.example.com} or {@code
 *     https://example.com/keytrust}: {@code https}, or {@code http} to a loopback address only (a
 *     lab on the same machine); no query, fragment or user info
 * @param tokenFile a file holding a bearer token sent as {@code Authorization: Bearer}, if any
 * @param caFile PEM certificates to trust instead of the system's trust store, if any
 * @param pollInterval time between status requests, 10 ms..60 s
 * @param requestTimeout longest wait for one HTTP exchange, 100 ms..5 min
 */
public record PushSettings(
    URI baseUri, Optional<Path> tokenFile, Optional<Path> caFile, Duration pollInterval, Duration requestTimeout) {

  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** Checks the rules above; {@link IllegalArgumentException} says which one failed. */
  public PushSettings {
    Objects.requireNonNull(baseUri, "baseUri");
    Objects.requireNonNull(tokenFile, "tokenFile");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    String scheme = baseUri.getScheme() == null ? "" : baseUri.getScheme().toLowerCase(Locale.ROOT);
    if (!baseUri.isAbsolute() || baseUri.isOpaque() || baseUri.getHost() == null) {
      throw new IllegalArgumentException("the MFA service URL must be absolute, like https://mfa.example.com");
    }
    if (baseUri.getRawQuery() != null || baseUri.getRawFragment() != null || baseUri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("the MFA service URL may not have a query, fragment or user info");
    }
    if (scheme.equals("http") && !Loopback.isLiteralOrLocalhost(baseUri.getHost())) {
      throw new IllegalArgumentException("the MFA service URL must use https (plain http only to a loopback address)");
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("the MFA service URL must use https");
    }
    if (pollInterval.compareTo(Duration.ofMillis(10)) < 0 || pollInterval.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new IllegalArgumentException("the poll interval must be 10 ms..60 s, got " + pollInterval);
    }
    if (requestTimeout.compareTo(Duration.ofMillis(100)) < 0 || requestTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("the request timeout must be 100 ms..5 min, got " + requestTimeout);
    }
  }

  /** {@code baseUri} with no token, system trust and the default timings. */
  public static PushSettings of(URI baseUri) {
    return new PushSettings(baseUri, Optional.empty(), Optional.empty(), DEFAULT_POLL_INTERVAL,
        DEFAULT_REQUEST_TIMEOUT);
  }

  public PushSettings withTokenFile(Path file) {
    return new PushSettings(baseUri, Optional.of(file), caFile, pollInterval, requestTimeout);
  }

  public PushSettings withCaFile(Path file) {
    return new PushSettings(baseUri, tokenFile, Optional.of(file), pollInterval, requestTimeout);
  }

  public PushSettings withPollInterval(Duration interval) {
    return new PushSettings(baseUri, tokenFile, caFile, interval, requestTimeout);
  }

  public PushSettings withRequestTimeout(Duration timeout) {
    return new PushSettings(baseUri, tokenFile, caFile, pollInterval, timeout);
  }

  /** {@code base/mfa/push} and below, whatever the base's trailing slash. */
  URI endpoint(String path) {
    String base = baseUri.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + "/mfa/push" + path);
  }
}
