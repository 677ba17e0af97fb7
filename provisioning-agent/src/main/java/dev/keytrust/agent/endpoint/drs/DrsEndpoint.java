package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.endpoint.drs.DrsResponses.MalformedResponseException;
import dev.keytrust.agent.endpoint.drs.DrsResponses.Receipt;
import dev.keytrust.agent.endpoint.drs.FailedAttempt.Kind;
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

  /** Thrown by one attempt whose outcome may pass on a retry. */
  private static final class RetryableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient FailedAttempt failure;

    RetryableException(FailedAttempt failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  private final DrsConfig config;
  private final DrsFailures failures;
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
    this.failures = new DrsFailures(config);
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
      throw failures.refusal(response, token, what);
    }
    requireJson(response, what);
    Receipt receipt;
    try {
      receipt = DrsResponses.parseReceipt(response.body());
    } catch (MalformedResponseException e) {
      throw failures.notAReceipt(what, status, e);
    }
    if (!receipt.upn().equalsIgnoreCase(registration.userPrincipalName())) {
      throw failures.userMismatch(what, receipt, registration.userPrincipalName(), token);
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
      throw failures.unregisterUnsupported(what, target, status);
    }
    throw failures.refusal(response, token, what);
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
      FailedAttempt failure;
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
        failure = new FailedAttempt(Kind.STATUS, response, null);
      } catch (RetryableException e) {
        failure = e.failure;
      }
      Duration elapsed = Duration.between(start, clock.instant());
      Optional<Duration> delay = config.retry().nextDelay(attempt, elapsed, retryAfter, random);
      if (delay.isEmpty()) {
        throw failures.exhausted(failure, attempt, elapsed, retryAfter, token, what);
      }
      LOG.info(
          "{} at {}: {}; attempt {}/{} failed, retrying in {} ms{}",
          what, describe(), failures.summary(failure, token), attempt, max, delay.get().toMillis(),
          retryAfter.isPresent() ? " (Retry-After)" : "");
      try {
        sleeper.sleep(delay.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failures.interrupted(what, e);
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
      throw new RetryableException(new FailedAttempt(Kind.TIMEOUT, null, e));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw failures.interrupted(what, e);
    } catch (ExecutionException e) {
      throw classify(e.getCause() == null ? e : e.getCause(), what);
    }
  }

  /** Sorts an attempt's exception: retryable, or final (too large, untrusted certificate). */
  private RetryableException classify(Throwable error, String what) throws AgentException {
    BoundedBody.TooLarge tooLarge = DrsFailures.find(error, BoundedBody.TooLarge.class);
    if (tooLarge != null) {
      throw failures.tooLarge(what, tooLarge);
    }
    if (DrsFailures.untrustedCertificate(error)) {
      throw failures.tlsUntrusted(what, error);
    }
    if (DrsFailures.find(error, HttpConnectTimeoutException.class) != null) {
      return retry(Kind.CONNECT, error);
    }
    if (DrsFailures.find(error, HttpTimeoutException.class) != null) {
      return retry(Kind.TIMEOUT, error);
    }
    if (DrsFailures.find(error, ConnectException.class) != null
        || DrsFailures.find(error, IOException.class) != null) {
      return retry(Kind.CONNECT, error);
    }
    throw failures.unreachable(what, error);
  }

  private static RetryableException retry(Kind kind, Throwable error) {
    return new RetryableException(
        new FailedAttempt(kind, null, error instanceof Exception ex ? ex : new IOException(error)));
  }

  private static boolean retryable(int status) {
    return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
  }

  private void requireJson(HttpResponse<byte[]> response, String what) throws AgentException {
    String type = response.headers().firstValue("content-type").orElse("");
    String media = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json")) {
      throw failures.notJson(what, response.statusCode(), type);
    }
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
      throw DrsFailures.keyUnsupported();
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
}
