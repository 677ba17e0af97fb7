package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.StateFiles;
import dev.keytrust.internal.json.JsonException;
import dev.keytrust.internal.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MFA method {@code push}: asks an MFA service to send an approval request to the user's device,
 * then polls until the user approves or denies it or the attempt times out.
 *
 * <pre>
 *   POST {base}/mfa/push        {"user": "alice@example.com"}   -> 200/201/202 {"id": "..."}
 *   GET  {base}/mfa/push/{id}                                    -> 200 {"status": "pending"|"approved"|"denied"}
 * </pre>
 *
 * <p>Both requests carry {@code Accept: application/json} and, with a token file, {@code
 * Authorization: Bearer <token>}. Redirects are not followed (the token would go along). Bodies
 * larger than {@value #MAX_BODY} bytes are refused; JSON is parsed strictly, unknown members are
 * ignored. The request id must be 1..128 characters of {@code [A-Za-z0-9._~-]}.
 *
 * <p>Outcomes: while polling, an unreachable service, a timeout of one request, HTTP 429 or 5xx are
 * passing problems (polling goes on; the last one is named if the attempt times out); {@code
 * denied} is DENIED; HTTP 404 (the service forgot the request), other errors and malformed bodies
 * are FAILED. Starting: 401/403 (credentials), 404 (wrong URL), redirects and other 4xx are thrown as
 * configuration errors, since no retry can fix them; unreachable, 429 and 5xx are a FAILED attempt
 * the runner may retry. The token is read once, kept for the provider's lifetime (an HTTP header
 * needs a String) and never logged.
 */
public final class PushMfaProvider implements MfaProvider {
  private static final Logger LOG = LoggerFactory.getLogger(PushMfaProvider.class);

  /** The method's name. */
  public static final String NAME = "push";
  /** Largest response body read, in bytes. */
  public static final int MAX_BODY = 16 * 1024;
  static final int MAX_TOKEN_BYTES = 8 * 1024;
  /** Response bodies nesting objects and arrays deeper than this are refused. */
  static final int MAX_JSON_DEPTH = 16;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]+");

  private final PushSettings settings;
  private final HttpClient client;
  private volatile String bearer;

  /**
   * Reads the token and CA files now.
   *
   * @throws AgentException MFA_CONFIG_INVALID when a file is missing, unreadable, too open or
   *     malformed
   */
  public PushMfaProvider(PushSettings settings) throws AgentException {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.bearer = settings.tokenFile().isPresent() ? readToken(settings.tokenFile().get()) : null;
    HttpClient.Builder b = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(settings.requestTimeout());
    if (settings.caFile().isPresent()) {
      b.sslContext(sslContext(settings.caFile().get()));
    }
    this.client = b.build();
  }

  @Override
  public String name() {
    return NAME;
  }

  public PushSettings settings() {
    return settings;
  }

  @Override
  public MfaChallenge start(String user) throws AgentException {
    StateFiles.checkUser(user);
    String instructions = "Approve the sign-in request sent to your device.";
    URI uri = settings.endpoint("");
    HttpRequest request = request(uri, settings.requestTimeout())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"user\":" + StrictJson.quote(user) + "}", StandardCharsets.UTF_8))
        .build();
    Exchange ex;
    try {
      ex = exchange(request);
    } catch (IOException e) {
      return MfaChallenge.finished(instructions, MfaOutcome.failed(unreachable(e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException(AgentErrorCode.MFA_CANCELLED, "Starting MFA for user '" + user
          + "' was cancelled (the agent was interrupted): run provisioning again.", e);
    }
    int status = ex.status;
    if (status == 401 || status == 403) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The MFA service " + uri + " refused keytrust's"
          + " credentials (HTTP " + status + "): check the bearer token in "
          + settings.tokenFile().map(Path::toString).orElse("token-file (none is set)") + ".");
    }
    if (status == 404) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "There is no MFA push endpoint at " + uri
          + " (HTTP 404): check the url setting of the MFA method push.");
    }
    if (status >= 300 && status < 400) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The MFA service " + uri + " redirects (HTTP "
          + status + "), which keytrust does not follow: set the url to the service's final address.");
    }
    if (status == 429 || status >= 500) {
      return MfaChallenge.finished(instructions, MfaOutcome.failed("the MFA service " + uri + " answered HTTP "
          + status));
    }
    if (status != 200 && status != 201 && status != 202) {
      throw new AgentException(AgentErrorCode.MFA_FAILED, "The MFA service " + uri + " refused to start a push request"
          + " (HTTP " + status + "): check that it speaks keytrust's push protocol (docs/mfa-and-pin.md).");
    }
    String id;
    try {
      Object value = ex.json().get("id");
      if (!(value instanceof String s) || !ID.matcher(s).matches()) {
        return MfaChallenge.finished(instructions, MfaOutcome.failed("the MFA service's answer has no valid"
            + " request id (1..128 characters of A-Z a-z 0-9 . _ ~ -)"));
      }
      id = s;
    } catch (JsonException e) {
      return MfaChallenge.finished(instructions, MfaOutcome.failed(badBody(e)));
    }
    LOG.debug("Push MFA request started for user {}", user);
    return new Poll(id, instructions);
  }

  /** Polls one request until it is decided or the timeout passes. */
  private final class Poll implements MfaChallenge {
    private final String id;
    private final String instructions;

    Poll(String id, String instructions) {
      this.id = id;
      this.instructions = instructions;
    }

    @Override
    public String instructions() {
      return instructions;
    }

    @Override
    public MfaOutcome await(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      URI uri = settings.endpoint("/" + id);
      String problem = null;
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return MfaOutcome.timedOut("the request was neither approved nor denied in time"
              + (problem == null ? "" : " (last problem: " + problem + ")"));
        }
        Duration wait = Duration.ofNanos(Math.min(left, settings.requestTimeout().toNanos()));
        try {
          Exchange ex = exchange(request(uri, wait).GET().build());
          if (ex.status == 200) {
            Object status = ex.json().get("status");
            if ("approved".equals(status)) {
              return MfaOutcome.succeeded();
            }
            if ("denied".equals(status)) {
              return MfaOutcome.denied("the request was denied on the device");
            }
            if (!"pending".equals(status)) {
              return MfaOutcome.failed("the MFA service answered an unknown status (expected pending, approved"
                  + " or denied)");
            }
            problem = null;
          } else if (ex.status == 429 || ex.status >= 500) {
            problem = "HTTP " + ex.status;
            LOG.debug("Push MFA poll: HTTP {}; polling on", ex.status);
          } else if (ex.status == 404) {
            return MfaOutcome.failed("the MFA service no longer knows the request (HTTP 404); it may have"
                + " expired");
          } else {
            return MfaOutcome.failed("the MFA service answered HTTP " + ex.status + " to a status request");
          }
        } catch (JsonException e) {
          return MfaOutcome.failed(badBody(e));
        } catch (IOException e) {
          if (deadline - System.nanoTime() > 0) {
            problem = unreachable(e);
            LOG.debug("Push MFA poll failed ({}); polling on", problem);
          } else {
            // cut short by our own deadline: not a problem of the service, keep the one seen before
            LOG.debug("Push MFA poll ended by the timeout ({})", e.getClass().getSimpleName());
          }
        }
        left = deadline - System.nanoTime();
        if (left > 0) {
          Thread.sleep(Math.max(1, Math.min(settings.pollInterval().toMillis(), left / 1_000_000)));
        }
      }
    }
  }

  private HttpRequest.Builder request(URI uri, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Accept", "application/json")
        .header("User-Agent", "keytrust");
    String token = bearer;
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /**
   * One response: its status and at most {@link #MAX_BODY} + 1 bytes of body (one more than the
   * reader accepts, so that a larger body is refused as such).
   */
  private record Exchange(int status, byte[] body) {
    Map<String, Object> json() throws JsonException {
      return StrictJson.parseObject(body, MAX_BODY, MAX_JSON_DEPTH);
    }
  }

  private Exchange exchange(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      byte[] body = in.readNBytes(MAX_BODY + 1);
      return new Exchange(response.statusCode(), body);
    }
  }

  private String unreachable(IOException e) {
    String why;
    if (e instanceof HttpTimeoutException) {
      why = "no answer in time";
    } else if (e instanceof SSLException) {
      why = "TLS failed (" + e.getMessage() + "); check ca-file";
    } else if (e instanceof java.net.ConnectException) {
      why = "connection refused";
    } else {
      why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }
    return "cannot reach the MFA service at " + settings.baseUri() + ": " + why;
  }

  private static String badBody(JsonException e) {
    return "the MFA service's answer is not the JSON keytrust expects (" + e.getMessage() + ")";
  }

  private static String readToken(Path file) throws AgentException {
    byte[] raw = StateFiles.readSecretFile(file, MAX_TOKEN_BYTES, AgentErrorCode.MFA_CONFIG_INVALID, "MFA token file");
    try {
      int from = 0;
      int to = raw.length;
      while (from < to && Character.isWhitespace(raw[from])) {
        from++;
      }
      while (to > from && Character.isWhitespace(raw[to - 1])) {
        to--;
      }
      String token = new String(raw, from, to - from, StandardCharsets.US_ASCII);
      if (token.isEmpty() || !TOKEN.matcher(token).matches()) {
        throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The MFA token file " + file + " does not hold one"
            + " bearer token (letters, digits and - . _ ~ + / = on one line): write only the token in it.");
      }
      return token;
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static SSLContext sslContext(Path caFile) throws AgentException {
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The CA file " + caFile + " holds no certificate:"
            + " give a PEM file with the CA certificate(s) of the MFA service.");
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "Cannot read the CA file " + caFile + " ("
          + e.getClass().getSimpleName() + "): check the path and its permissions.", e);
    } catch (GeneralSecurityException e) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The CA file " + caFile + " is not PEM certificates ("
          + e.getMessage() + "): give the CA certificate(s) of the MFA service in PEM form.", e);
    }
  }

  /** Forgets the token (the String itself is left to the garbage collector). */
  @Override
  public void close() {
    bearer = null;
  }

  @Override
  public String toString() {
    return "PushMfaProvider[" + settings.baseUri() + (settings.tokenFile().isPresent() ? ", with token" : "") + "]";
  }
}
