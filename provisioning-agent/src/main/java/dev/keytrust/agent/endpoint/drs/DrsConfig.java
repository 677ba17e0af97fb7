package dev.keytrust.agent.endpoint.drs;

import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.ALLOW_PLAIN_HTTP;
import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.CA_FILE;
import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.CONNECT_TIMEOUT;
import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.MAX_ATTEMPTS;
import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.MAX_RETRY_TIME;
import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.REQUEST_TIMEOUT;
import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.TOKEN_COMMAND;
import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.TOKEN_ENV;
import static dev.keytrust.agent.endpoint.drs.DrsEndpointProvider.TOKEN_FILE;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.Loopback;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The DRS endpoint's URI and settings, checked (see {@link DrsEndpointProvider} for the documented
 * forms). Touches no network; the token source is checked separately, at open.
 *
 * @param uris the request URIs
 * @param plainHttp true for an {@code http://} loopback endpoint allowed by {@code
 *     allow-plain-http=true}
 * @param token where the bearer token comes from
 * @param caFile the PEM/DER file of trusted CA certificates, or {@code null} for the JVM's store
 * @param connectTimeout bound on connecting, including the TLS handshake
 * @param requestTimeout bound on one attempt, from sending the request to the whole response
 * @param retry the retry bounds
 */
record DrsConfig(
    DrsUris uris,
    boolean plainHttp,
    TokenSource token,
    Path caFile,
    Duration connectTimeout,
    Duration requestTimeout,
    RetryPolicy retry) {

  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
  static final int DEFAULT_MAX_ATTEMPTS = 4;
  static final Duration DEFAULT_MAX_RETRY_TIME = Duration.ofSeconds(60);
  static final Duration TOKEN_COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String EXAMPLE = "https://enterpriseregistration.example.com";

  DrsConfig {
    Objects.requireNonNull(uris, "uris");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(retry, "retry");
  }

  /**
   * Reads {@code https://host[:port][/path]} and the settings.
   *
   * @param environment the environment variable look-up ({@code System::getenv} outside tests)
   * @throws AgentException DRS_ENDPOINT_CONFIG (bad input) for a malformed URI or setting value,
   *     no or several token settings, or plain http that is not allowed
   */
  static DrsConfig parse(URI uri, EndpointSettings settings, Function<String, String> environment)
      throws AgentException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw config(uri, "the scheme must be https, as in " + EXAMPLE);
    }
    if (uri.isOpaque()) {
      throw config(uri, "expected https://host[:port][/path], as in " + EXAMPLE);
    }
    if (uri.getRawUserInfo() != null) {
      throw config(
          scheme + "://<user info removed>@...",
          "credentials do not belong in the URI; give the access token with " + TOKEN_FILE
              + ", " + TOKEN_ENV + " or " + TOKEN_COMMAND);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw config(uri, "the host name is missing or not a valid host name, as in " + EXAMPLE);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw config(
          uri,
          "a query or fragment is not allowed; keytrust adds ?api-version=" + DrsUris.API_VERSION
              + " itself. Give https://host[:port][/path]");
    }
    boolean plain = scheme.equals("http");
    if (plain) {
      boolean allowed = flag(settings, ALLOW_PLAIN_HTTP);
      if (!isLoopbackLiteral(host) || !allowed) {
        throw new AgentException(
            AgentErrorCode.DRS_ENDPOINT_CONFIG,
            "Refusing plain http:// to " + host + ": the access token and the key would cross"
                + " the network without TLS. Use https://" + uri.getRawAuthority()
                + (uri.getRawPath() == null ? "" : uri.getRawPath()) + ". (Plain http is"
                + " possible only to a loopback address such as 127.0.0.1, with "
                + ALLOW_PLAIN_HTTP + "=true, for tests.)");
      }
      if (settings.get(CA_FILE).isPresent()) {
        throw new AgentException(
            AgentErrorCode.DRS_ENDPOINT_CONFIG,
            "The setting " + CA_FILE + " is only used with https://; remove it or use https.");
      }
    } else if (settings.get(ALLOW_PLAIN_HTTP).isPresent()) {
      flag(settings, ALLOW_PLAIN_HTTP); // still checks the value
    }
    DrsUris uris = DrsUris.of(uri);
    TokenSource token = tokenSource(uris, settings, environment);
    Path ca = path(settings, CA_FILE).orElse(null);
    Duration connect = duration(settings, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, false);
    Duration request = duration(settings, REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, false);
    int attempts = attempts(settings);
    Duration retryTime = duration(settings, MAX_RETRY_TIME, DEFAULT_MAX_RETRY_TIME, true);
    return new DrsConfig(
        uris, plain, token, ca, connect, request, RetryPolicy.of(attempts, retryTime));
  }

  /** The key endpoint URI, for messages and receipts (it never holds credentials). */
  String describe() {
    return uris.keyEndpoint().toString();
  }

  /** True for IP literals in 127.0.0.0/8 and {@code ::1}; see {@link Loopback#isLiteral}. */
  static boolean isLoopbackLiteral(String host) {
    return Loopback.isLiteral(host);
  }

  private static TokenSource tokenSource(
      DrsUris uris, EndpointSettings settings, Function<String, String> environment)
      throws AgentException {
    List<String> given = new ArrayList<>();
    for (String name : List.of(TOKEN_FILE, TOKEN_ENV, TOKEN_COMMAND)) {
      if (settings.get(name).isPresent()) {
        given.add(name);
      }
    }
    if (given.size() != 1) {
      throw new AgentException(
          AgentErrorCode.DRS_ENDPOINT_CONFIG,
          (given.isEmpty()
                  ? "The key registration endpoint " + uris.keyEndpoint() + " needs an access token"
                  : "The settings " + given + " each name an access token; give only one")
              + ": " + TOKEN_FILE + "=<file readable only by its owner>, " + TOKEN_ENV
              + "=<environment variable> or " + TOKEN_COMMAND + "=<program that prints it>. The"
              + " token must carry the user's upn, a deviceid and amr=ngcmfa.");
    }
    String name = given.get(0);
    String value = settings.get(name).orElseThrow().strip();
    if (value.isEmpty()) {
      throw setting(name, value, "it is empty");
    }
    switch (name) {
      case TOKEN_FILE:
        return new TokenSource.FromFile(path(settings, TOKEN_FILE).orElseThrow());
      case TOKEN_ENV:
        if (!ENV_NAME.matcher(value).matches()) {
          throw setting(name, value, "it is not an environment variable name (letters, digits, _)");
        }
        return new TokenSource.FromEnvironment(value, environment);
      default:
        return new TokenSource.FromCommand(List.of(value.split("\\s+")), TOKEN_COMMAND_TIMEOUT);
    }
  }

  private static Optional<Path> path(EndpointSettings settings, String name) throws AgentException {
    Optional<String> value = settings.get(name);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.get().strip();
    if (v.isEmpty()) {
      throw setting(name, v, "it is empty");
    }
    try {
      return Optional.of(Path.of(v).toAbsolutePath().normalize());
    } catch (InvalidPathException e) {
      throw setting(name, v, "it is not a valid path");
    }
  }

  private static boolean flag(EndpointSettings settings, String name) throws AgentException {
    try {
      return settings.bool(name).orElse(false);
    } catch (IllegalArgumentException e) {
      throw setting(name, settings.get(name).orElseThrow(), "use true or false");
    }
  }

  private static Duration duration(
      EndpointSettings settings, String name, Duration fallback, boolean zeroAllowed)
      throws AgentException {
    Duration d;
    try {
      d = settings.duration(name).orElse(fallback);
    } catch (IllegalArgumentException e) {
      throw setting(name, settings.get(name).orElseThrow(),
          "use seconds or milliseconds, e.g. 30s or 500ms");
    }
    if ((d.isZero() && !zeroAllowed) || d.compareTo(MAX_TIMEOUT) > 0) {
      throw setting(
          name, settings.get(name).orElseThrow(),
          "it must be " + (zeroAllowed ? "" : "more than 0 and ") + "at most "
              + MAX_TIMEOUT.toMinutes() + " minutes");
    }
    return d;
  }

  private static int attempts(EndpointSettings settings) throws AgentException {
    Optional<String> value = settings.get(MAX_ATTEMPTS);
    if (value.isEmpty()) {
      return DEFAULT_MAX_ATTEMPTS;
    }
    String v = value.get().strip();
    if (v.matches("\\d{1,2}")) {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= RetryPolicy.MAX_ATTEMPTS_LIMIT) {
        return n;
      }
    }
    throw setting(
        MAX_ATTEMPTS, v,
        "use a whole number from 1 (no retry) to " + RetryPolicy.MAX_ATTEMPTS_LIMIT);
  }

  private static AgentException setting(String name, String value, String why) {
    return new AgentException(
        AgentErrorCode.DRS_ENDPOINT_CONFIG,
        "The endpoint setting " + name + "=" + value + " is invalid: " + why + ".");
  }

  private static AgentException config(Object uri, String why) {
    return new AgentException(
        AgentErrorCode.DRS_ENDPOINT_CONFIG,
        "The key registration endpoint URI " + uri + " is invalid: " + why + ".");
  }
}
