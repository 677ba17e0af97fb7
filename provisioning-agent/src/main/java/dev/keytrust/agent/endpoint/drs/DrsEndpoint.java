package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.endpoint.drs.DrsResponses.MalformedResponseException;
import dev.keytrust.agent.endpoint.drs.DrsResponses.Receipt;
import dev.keytrust.agent.endpoint.drs.DrsResponses.ServerError;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.key.KeyAlgorithm;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DRS-style HTTPS key registration endpoint ([MS-KPP]), as {@link DrsEndpointProvider}
 * documents it: one request per operation, retried with backoff and jitter on connection
 * failures, timeouts, 429 and 5xx, within the configured attempt and time bounds.
 *
 * <p>Timeouts are retried as well as connection failures: a request that timed out may have been
 * carried out, and registering the same key again is harmless (the server answers with the same
 * {@code kid}). 501 and 505 are not retried (they do not pass).
 */
final class DrsEndpoint implements KeyRegistrationEndpoint {
  /** keytrust extension: the lab service says {@code existing} when it already held the key. */
  static final String KEY_STATE_HEADER = "keytrust-key-state";
  static final String USER_AGENT = "keytrust (DRS key registration)";

  private static final Logger LOG = LoggerFactory.getLogger(DrsEndpoint.class);

  /** Waits between attempts; {@code Thread::sleep} outside tests. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private enum Kind {
    STATUS,
    TIMEOUT,
    CONNECT
  }

  /** A retryable outcome of one attempt. */
  private record Failure(Kind kind, HttpResponse<byte[]> response, Exception error) {}

  /** Thrown by one attempt whose outcome may pass on a retry. */
  private static final class RetryableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Failure failure;

    RetryableException(Failure failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  private final DrsConfig config;
  private final HttpClient client;
  private final ExecutorService executor;
  private final Clock clock;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private volatile boolean closed;

  DrsEndpoint(
      DrsConfig config,
      HttpClient client,
      ExecutorService executor,
      Clock clock,
      Sleeper sleeper,
      RandomGenerator random) {
    this.config = config;
    this.client = client;
    this.executor = executor;
    this.clock = clock;
    this.sleeper = sleeper;
    this.random = random;
  }

  @Override
  public RegistrationReceipt register(KeyRegistration registration) throws AgentException {
    ensureOpen();
    byte[] material = registration.keyMaterial();
    requireRsa1(material);
    BearerToken token = config.token().read();
    String requestId = UUID.randomUUID().toString();
    byte[] body =
        ("{\"kngc\":\"" + Base64.getEncoder().encodeToString(material) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    String what = "Registering key " + registration.keyIdBase64();
    HttpResponse<byte[]> response =
        exchange("POST", config.uris().register(), body, token, requestId, what);
    int status = response.statusCode();
    if (status != 200 && status != 201) {
      throw refusal(response, token, what);
    }
    requireJson(response, what);
    Receipt receipt;
    try {
      receipt = DrsResponses.parseReceipt(response.body());
    } catch (MalformedResponseException e) {
      throw malformed(what, "its HTTP " + status + " body is not a KPP receipt: " + e.getMessage());
    }
    if (!receipt.upn().equalsIgnoreCase(registration.userPrincipalName())) {
      throw new AgentException(
          AgentErrorCode.DRS_USER_MISMATCH,
          what + " at " + describe() + ": the server wrote the key to user '"
              + DrsResponses.sanitize(receipt.upn(), token) + "' (kid " + receipt.kid()
              + "), not to '" + registration.userPrincipalName() + "'. The access token belongs"
              + " to another user. Get a token as " + registration.userPrincipalName()
              + ", and have the other user's key " + receipt.kid() + " removed.");
    }
    boolean existing =
        response.headers().firstValue(KEY_STATE_HEADER)
            .map(v -> v.strip().equalsIgnoreCase("existing"))
            .orElse(false);
    LOG.info(
        "Registered key {} at {}: kid {}, upn {}{}",
        registration.keyIdBase64(), describe(), receipt.kid(), receipt.upn(),
        existing ? " (the server already held it)" : "");
    return new RegistrationReceipt(
        describe(),
        registration.keyIdBase64(),
        receipt.kid(),
        receipt.upn(),
        receipt.pctx(),
        requestId,
        existing,
        clock.instant());
  }

  @Override
  public void unregister(KeyRegistration registration) throws AgentException {
    ensureOpen();
    BearerToken token = config.token().read();
    String requestId = UUID.randomUUID().toString();
    String what = "Removing key " + registration.keyIdBase64();
    URI target = config.uris().unregister(registration.keyId());
    HttpResponse<byte[]> response = exchange("DELETE", target, null, token, requestId, what);
    int status = response.statusCode();
    if (status == 200 || status == 204) {
      LOG.info("Removed key {} at {} (or it was not there)", registration.keyIdBase64(), describe());
      return;
    }
    if (status == 404 || status == 405 || status == 501) {
      throw new AgentException(
          AgentErrorCode.DRS_UNREGISTER_UNSUPPORTED,
          what + ": the server at " + describe() + " does not offer keytrust's key removal"
              + " (DELETE " + target.getPath() + " answered HTTP " + status + "). Key removal is a"
              + " keytrust extension that [MS-KPP] lacks; remove the key with the directory's own"
              + " tools (e.g. Microsoft Graph windowsHelloForBusinessMethods, or"
              + " msDS-KeyCredentialLink).");
    }
    throw refusal(response, token, what);
  }

  @Override
  public String describe() {
    return config.describe();
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "DrsEndpoint[" + describe() + ", token from " + config.token().describe() + "]";
  }

  // ---- one exchange, with retries ----

  private HttpResponse<byte[]> exchange(
      String method, URI uri, byte[] body, BearerToken token, String requestId, String what)
      throws AgentException {
    Instant start = clock.instant();
    int max = config.retry().maxAttempts();
    for (int attempt = 1; ; attempt++) {
      LOG.debug("{} {} (attempt {}/{}, client-request-id {})", method, uri, attempt, max, requestId);
      Failure failure;
      Optional<Duration> retryAfter = Optional.empty();
      try {
        HttpResponse<byte[]> response = send(request(method, uri, body, token, requestId), what);
        if (!retryable(response.statusCode())) {
          LOG.debug("{} {}: HTTP {}", method, uri, response.statusCode());
          return response;
        }
        retryAfter =
            response.headers().firstValue("retry-after")
                .flatMap(v -> RetryAfter.parse(v, clock.instant()));
        failure = new Failure(Kind.STATUS, response, null);
      } catch (RetryableException e) {
        failure = e.failure;
      }
      Duration elapsed = Duration.between(start, clock.instant());
      Optional<Duration> delay = config.retry().nextDelay(attempt, elapsed, retryAfter, random);
      if (delay.isEmpty()) {
        throw exhausted(failure, attempt, elapsed, retryAfter, token, what);
      }
      LOG.info(
          "{} at {}: {}; attempt {}/{} failed, retrying in {} ms{}",
          what, describe(), summary(failure, token), attempt, max, delay.get().toMillis(),
          retryAfter.isPresent() ? " (Retry-After)" : "");
      try {
        sleeper.sleep(delay.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw interrupted(what, e);
      }
      ensureOpen();
    }
  }

  private HttpRequest request(
      String method, URI uri, byte[] body, BearerToken token, String requestId) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(config.requestTimeout())
            .header("Authorization", token.authorizationHeader())
            .header("Accept", "application/json")
            .header("client-request-id", requestId)
            .header("User-Agent", USER_AGENT);
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b.build();
  }

  /** One attempt: a response, a retryable failure, or a final error. */
  private HttpResponse<byte[]> send(HttpRequest request, String what)
      throws AgentException, RetryableException {
    CompletableFuture<HttpResponse<byte[]>> future =
        client.sendAsync(request, BoundedBody.handler(DrsResponses.MAX_BODY));
    long bound = config.connectTimeout().plus(config.requestTimeout()).toMillis();
    try {
      return future.get(bound, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RetryableException(new Failure(Kind.TIMEOUT, null, e));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw interrupted(what, e);
    } catch (ExecutionException e) {
      throw classify(e.getCause() == null ? e : e.getCause(), what);
    }
  }

  /** Sorts an attempt's exception: retryable, or final (too large, untrusted certificate). */
  private RetryableException classify(Throwable error, String what) throws AgentException {
    BoundedBody.TooLarge tooLarge = find(error, BoundedBody.TooLarge.class);
    if (tooLarge != null) {
      throw new AgentException(
          AgentErrorCode.DRS_RESPONSE_MALFORMED,
          what + " at " + describe() + ": the server's answer was refused because "
              + tooLarge.getMessage() + ". A key service answers with a few hundred bytes; check"
              + " that the URI names the key service and not another site.",
          tooLarge);
    }
    if (find(error, CertificateException.class) != null
        || find(error, CertPathValidatorException.class) != null
        || find(error, SSLPeerUnverifiedException.class) != null) {
      throw new AgentException(
          AgentErrorCode.DRS_TLS_UNTRUSTED,
          what + " at " + describe() + ": the server's TLS certificate is not trusted ("
              + describeError(error, null) + "). "
              + (config.caFile() == null
                  ? "The JVM's trust store has no CA for it: give " + DrsEndpointProvider.CA_FILE
                      + "=<PEM file of the CA that issued it>."
                  : "It was not issued, for this host name, by a CA in " + config.caFile()
                      + ". Check the ca-file and that the URI's host is the one in the"
                      + " certificate."),
          error instanceof Exception ex ? ex : null);
    }
    if (find(error, HttpConnectTimeoutException.class) != null) {
      return retry(Kind.CONNECT, error);
    }
    if (find(error, HttpTimeoutException.class) != null) {
      return retry(Kind.TIMEOUT, error);
    }
    if (find(error, ConnectException.class) != null || find(error, IOException.class) != null) {
      return retry(Kind.CONNECT, error);
    }
    throw new AgentException(
        AgentErrorCode.DRS_UNREACHABLE,
        what + " at " + describe() + " failed: " + describeError(error, null) + ".",
        error instanceof Exception ex ? ex : null);
  }

  private static RetryableException retry(Kind kind, Throwable error) {
    return new RetryableException(
        new Failure(kind, null, error instanceof Exception ex ? ex : new IOException(error)));
  }

  private static boolean retryable(int status) {
    return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
  }

  // ---- errors ----

  private AgentException exhausted(
      Failure failure, int attempts, Duration elapsed, Optional<Duration> retryAfter,
      BearerToken token, String what) {
    String tries =
        " (" + attempts + (attempts == 1 ? " attempt" : " attempts") + " in "
            + seconds(elapsed) + ")";
    String budget = "";
    if (retryAfter.isPresent() && attempts < config.retry().maxAttempts()) {
      budget =
          " The server asked to wait " + seconds(retryAfter.get()) + " before retrying, beyond"
              + " " + DrsEndpointProvider.MAX_RETRY_TIME + "="
              + seconds(config.retry().maxRetryTime()) + ".";
    }
    String again =
        " Registration is idempotent: run again later, or raise " + DrsEndpointProvider.MAX_ATTEMPTS
            + " / " + DrsEndpointProvider.MAX_RETRY_TIME + ".";
    switch (failure.kind()) {
      case STATUS:
        return new AgentException(
            AgentErrorCode.DRS_SERVER_ERROR,
            what + " at " + describe() + ": the server kept failing" + tries + "; last "
                + summary(failure, token) + "." + budget + again);
      case TIMEOUT:
        return new AgentException(
            AgentErrorCode.DRS_TIMED_OUT,
            what + " at " + describe() + ": the server did not answer within "
                + DrsEndpointProvider.REQUEST_TIMEOUT + "=" + seconds(config.requestTimeout())
                + tries + "." + again,
            failure.error());
      default:
        return new AgentException(
            AgentErrorCode.DRS_UNREACHABLE,
            what + ": cannot reach " + describe() + tries + ": "
                + describeError(failure.error(), token) + ". Check the URI, the network (proxy,"
                + " firewall) and that the service runs." + again,
            failure.error());
    }
  }

  /** A final non-success status: 400, 401/403 or anything unexpected. */
  private AgentException refusal(HttpResponse<byte[]> response, BearerToken token, String what) {
    int status = response.statusCode();
    Optional<ServerError> error = DrsResponses.parseError(response.body());
    String said = error.map(e -> e.quote(token)).orElseGet(() -> noErrorBody(response, token));
    if (status == 400) {
      return new AgentException(
          AgentErrorCode.DRS_REQUEST_REJECTED,
          what + " at " + describe() + ": the server refused the request (HTTP 400); " + said
              + ". It refuses requests for users it cannot find and keys it cannot read;"
              + " check that the user exists in the directory.");
    }
    if (status == 401 || status == 403) {
      return new AgentException(
          AgentErrorCode.DRS_UNAUTHORIZED,
          what + " at " + describe() + ": the server did not accept the access token from "
              + config.token().describe() + " (HTTP " + status + "); " + said + ". Get a fresh"
              + " token for the device registration service, signed in as the user with fresh"
              + " MFA (amr ngcmfa) on a registered device (deviceid claim).");
    }
    return new AgentException(
        AgentErrorCode.DRS_UNEXPECTED_STATUS,
        what + " at " + describe() + ": unexpected HTTP " + status + "; " + said + ". Check that"
            + " the URI names the key registration service (its KeyProvisionEndpoint).");
  }

  private static String noErrorBody(HttpResponse<byte[]> response, BearerToken token) {
    String type = response.headers().firstValue("content-type").orElse("no content type");
    String auth =
        response.headers().firstValue("www-authenticate")
            .map(v -> ", WWW-Authenticate: " + DrsResponses.sanitize(v, token))
            .orElse("");
    return "its body is no KPP error (" + response.body().length + " bytes, "
        + DrsResponses.sanitize(type, token) + auth + ")";
  }

  private String summary(Failure failure, BearerToken token) {
    switch (failure.kind()) {
      case STATUS:
        HttpResponse<byte[]> r = failure.response();
        String said =
            DrsResponses.parseError(r.body()).map(e -> ", " + e.quote(token)).orElse("");
        return "HTTP " + r.statusCode() + said;
      case TIMEOUT:
        return "no answer within " + seconds(config.requestTimeout());
      default:
        return describeError(failure.error(), token);
    }
  }

  private void requireJson(HttpResponse<byte[]> response, String what) throws AgentException {
    String type = response.headers().firstValue("content-type").orElse("");
    String media = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json")) {
      throw malformed(
          what,
          "it answered HTTP " + response.statusCode() + " with Content-Type '"
              + DrsResponses.sanitize(type, null) + "', not application/json");
    }
  }

  private AgentException malformed(String what, String why) {
    return new AgentException(
        AgentErrorCode.DRS_RESPONSE_MALFORMED,
        what + " at " + describe() + ": the server's answer is malformed: " + why + ". The key may"
            + " or may not be registered; registration is idempotent, so run again, and check"
            + " that the URI names the key registration service.");
  }

  private AgentException interrupted(String what, Exception cause) {
    return new AgentException(
        AgentErrorCode.DRS_INTERRUPTED,
        what + " at " + describe() + " was interrupted before the server answered. Run again:"
            + " registration is idempotent.",
        cause);
  }

  /** The key service takes BCRYPT_RSAKEY_BLOBs ({@code kngc}) only. */
  @Override
  public Optional<String> refuses(KeyAlgorithm algorithm) {
    return algorithm == KeyAlgorithm.RSA_2048 ? Optional.empty()
        : Optional.of("the DRS key registration service takes RSA keys (a BCRYPT_RSAKEY_BLOB,"
            + " 'RSA1') only");
  }

  private static void requireRsa1(byte[] material) throws AgentException {
    if (!isRsa1(material)) {
      throw new AgentException(
          AgentErrorCode.DRS_KEY_UNSUPPORTED,
          "The DRS key registration service takes RSA keys (a BCRYPT_RSAKEY_BLOB, 'RSA1') only;"
              + " this key is not one. Create the key with algorithm rsa2048.");
    }
  }

  private static boolean isRsa1(byte[] material) {
    try {
      return BcryptKeyBlob.parse(material).isRsa();
    } catch (KeyCredentialFormatException e) {
      return false;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this endpoint is closed");
    }
  }

  private static String describeError(Throwable error, BearerToken token) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root
        && (root.getMessage() == null || root instanceof ExecutionException)) {
      root = root.getCause();
    }
    String message = root.getMessage();
    String text = root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    return DrsResponses.sanitize(text, token);
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  private static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
