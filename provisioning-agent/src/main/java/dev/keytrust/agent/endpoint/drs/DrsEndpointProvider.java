package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.AttestationMode;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpointProvider;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;

/**
 * The DRS-style HTTPS key registration endpoint ([MS-KPP], the Device Registration Service key
 * endpoint of Entra ID and AD FS), for URIs {@code https://host[:port][/path]}.
 *
 * <h2>Protocol</h2>
 *
 * <pre>
 * POST {base}/EnrollmentServer/key/?api-version=1.0
 * Authorization: Bearer &lt;access token&gt;
 * Accept: application/json
 * Content-Type: application/json
 * client-request-id: &lt;GUID, one per call, the same on retries&gt;
 *
 * {"kngc": "&lt;Base64 of the BCRYPT_RSAKEY_BLOB&gt;"}
 * </pre>
 *
 * <p>A 200 answer's {@code kid} (a GUID), {@code upn} and optional {@code pctx} go into the {@link
 * dev.keytrust.agent.endpoint.RegistrationReceipt}; a {@code upn} other than the registration's is
 * refused (KT-1614). 400 and 401/403 become errors that quote the server's error code and message
 * (KPP ErrorDetails, the Entra {@code error} wrapper, or OAuth {@code error_description}). A body
 * over 64 KiB, nested deeper than 16 levels, or not the documented JSON is refused. Only RSA keys
 * ({@code RSA1} blobs) can be registered. When {@code {base}} already ends with {@code
 * /EnrollmentServer/key/} (discovery's {@code KeyProvisionEndpoint}), it is used as it is.
 *
 * <p><b>Key listing is a keytrust extension</b> as well: {@code GET
 * {base}/EnrollmentServer/key/?api-version=1.0} with the same headers answers 200 {@code {"value":
 * [{"kid", "upn", "keyIdentifier", "keyMaterial", "deviceId", "creationTime"}]}}, the token user's
 * keys ({@code keytrust keys list}); servers without it (404, 405, 501) give KT-1620.
 *
 * <p><b>Key removal is a keytrust extension</b> ([MS-KPP] has none): {@code DELETE
 * {base}/EnrollmentServer/key/{key id}?api-version=1.0} with the same headers, the key id being
 * SHA-256 of the key material in unpadded Base64url. The server answers 204 whether or not it held
 * the key. The keytrust lab service serves it; servers without it (404, 405, 501) give KT-1615.
 * The same extension adds the optional response header {@code keytrust-key-state: existing|created}
 * to a registration, which fills {@code RegistrationReceipt.alreadyPresent()}.
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code token-file=PATH}, {@code token-env=NAME} or {@code token-command=PROGRAM [ARGS]}:
 *       exactly one, the access token (a JWT with the user's {@code upn}, {@code deviceid} and
 *       {@code amr} containing {@code ngcmfa}). The file must not be accessible to other users
 *       (refused otherwise); the command runs without a shell (arguments split at spaces), must
 *       print the token alone and exit with 0 within 60 s. The token is read afresh for each
 *       registration or removal; it never reaches a log, a message or an exception.
 *   <li>{@code ca-file=PATH}: PEM or DER CA certificate(s) to trust instead of the JVM's trust
 *       store. The host name must match the server certificate either way.
 *   <li>{@code connect-timeout=DURATION}: connecting and the TLS handshake, default 10s.
 *   <li>{@code request-timeout=DURATION}: one attempt until the whole answer arrived, default 30s.
 *   <li>{@code max-attempts=N}: attempts per operation, 1 (no retry) to 10, default 4.
 *   <li>{@code max-retry-time=DURATION}: no retry starts later than this after the first attempt
 *       began, default 60s (0 to 10 minutes).
 *   <li>{@code attest=required|preferred|off}: key attestation through keytrust's extension of the
 *       service ({@link DrsAttestationClient}), default {@code off}; see {@link AttestationMode}.
 *   <li>{@code allow-plain-http=true}: permits {@code http://} to a loopback IP literal
 *       (127.0.0.0/8, {@code [::1]}), for tests. Plain http anywhere else is always refused.
 * </ul>
 *
 * <p>DURATION is a whole number of seconds ({@code 30}, {@code 30s}) or milliseconds ({@code
 * 500ms}), at most 10 minutes.
 *
 * <h2>Retries</h2>
 *
 * <p>Connection failures, timeouts, 429 and 5xx (except 501 and 505) are retried with exponential
 * backoff and jitter (first wait 250-500 ms, doubling, at most 30 s), or after the server's {@code
 * Retry-After} (seconds or HTTP-date) when it sends one, within {@code max-attempts} and {@code
 * max-retry-time}. A Retry-After beyond the time budget ends the retries at once. Registering the
 * same key again is idempotent, so a retry after a lost answer is harmless. Redirects are not
 * followed (the token would go to another address).
 */
public final class DrsEndpointProvider implements KeyRegistrationEndpointProvider {
  /** Setting: a file holding the access token, accessible by its owner only. */
  public static final String TOKEN_FILE = "token-file";
  /** Setting: an environment variable holding the access token. */
  public static final String TOKEN_ENV = "token-env";
  /** Setting: a program (and arguments) that prints the access token. */
  public static final String TOKEN_COMMAND = "token-command";
  /** Setting: CA certificates (PEM or DER) to trust instead of the JVM's trust store. */
  public static final String CA_FILE = "ca-file";
  /** Setting: bound on connecting and the TLS handshake. */
  public static final String CONNECT_TIMEOUT = "connect-timeout";
  /** Setting: bound on one attempt, from sending the request to the whole answer. */
  public static final String REQUEST_TIMEOUT = "request-timeout";
  /** Setting: attempts per operation (1 = no retry). */
  public static final String MAX_ATTEMPTS = "max-attempts";
  /** Setting: no retry starts later than this after the first attempt. */
  public static final String MAX_RETRY_TIME = "max-retry-time";
  /** Setting: {@code true} permits plain {@code http://} to a loopback IP literal. */
  public static final String ALLOW_PLAIN_HTTP = "allow-plain-http";
  /** Setting: {@code required|preferred|off}, key attestation ({@link AttestationMode}). */
  public static final String ATTEST = AttestationMode.SETTING;

  private static final Set<String> SETTING_NAMES =
      Set.of(
          TOKEN_FILE, TOKEN_ENV, TOKEN_COMMAND, CA_FILE, CONNECT_TIMEOUT, REQUEST_TIMEOUT,
          MAX_ATTEMPTS, MAX_RETRY_TIME, ALLOW_PLAIN_HTTP, ATTEST);

  /** For {@link java.util.ServiceLoader}. */
  public DrsEndpointProvider() {}

  /** {@code https}, and {@code http} for the loopback test case (see {@code allow-plain-http}). */
  @Override
  public Set<String> schemes() {
    return Set.of("https", "http");
  }

  @Override
  public Set<String> settingNames() {
    return SETTING_NAMES;
  }

  /**
   * Checks the URI and settings, the token source (the file's permissions and content, the
   * variable, the command's presence on PATH) and the CA file, and prepares the HTTP client. No
   * request is sent.
   *
   * @throws AgentException KT-1601 (bad URI or setting), KT-1602 (token source), KT-1604 (CA
   *     file); all are bad input
   */
  @Override
  public KeyRegistrationEndpoint open(URI uri, EndpointSettings settings) throws AgentException {
    AttestationMode mode;
    try {
      mode = AttestationMode.of(settings);
    } catch (IllegalArgumentException e) {
      throw new AgentException(AgentErrorCode.DRS_ENDPOINT_CONFIG,
          "The endpoint setting " + e.getMessage() + ": use attest=required, preferred or off.");
    }
    DrsEndpoint endpoint = open(
        uri, settings, System::getenv, Clock.systemUTC(),
        d -> Thread.sleep(d.toMillis()), new SecureRandom());
    if (mode == AttestationMode.OFF) {
      return endpoint;
    }
    return new AttestingDrsEndpoint(endpoint,
        DrsAttestationClient.open(DrsConfig.parse(uri, settings, System::getenv), mode));
  }

  /** {@link #open(URI, EndpointSettings)} with the environment, clock, waits and jitter given. */
  static DrsEndpoint open(
      URI uri,
      EndpointSettings settings,
      Function<String, String> environment,
      Clock clock,
      DrsRetries.Sleeper sleeper,
      RandomGenerator random)
      throws AgentException {
    DrsConfig config = DrsConfig.parse(uri, settings, environment);
    config.token().check();
    SSLContext tls = config.plainHttp() ? null : TlsTrust.context(config.caFile());
    ExecutorService executor = Executors.newCachedThreadPool(daemonThreads());
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor);
    ProxySelector proxies = ProxySelector.getDefault(); // the JVM's http(s).proxyHost settings
    if (proxies != null) {
      builder.proxy(proxies);
    }
    if (tls != null) {
      builder.sslContext(tls);
    }
    return new DrsEndpoint(config, builder.build(), executor, clock, sleeper, random);
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "keytrust-drs-http-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
