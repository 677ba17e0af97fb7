package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.drs.FailedAttempt.Kind;
import dev.keytrust.agent.internal.Causes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one request of the DRS endpoint until an answer is final or no attempt may follow.
 *
 * <ul>
 *   <li>Retried: connection failures, timeouts, 429 and 5xx except 501 and 505 (they do not pass
 *       on a retry). A request that timed out may have been carried out; registering the same key
 *       again is harmless (the server answers with the same {@code kid}).
 *   <li>Final at once: any other status (the endpoint reads it), an answer over {@link
 *       DrsResponses#MAX_BODY}, an untrusted server certificate, an {@code https://} server that
 *       does not speak TLS ({@link PlainHttpProbe}: asked once an attempt has run {@link
 *       #PROBE_AFTER}, or when the hello got a non-TLS answer), and other transport failures.
 *   <li>The wait between attempts is the {@link RetryPolicy}'s backoff with jitter, or the
 *       server's {@link RetryAfter}; the policy also bounds the attempts and the time in which a
 *       retry may start.
 *   <li>One attempt may take at most the connect timeout plus the request timeout; then it is
 *       cancelled and counts as a timeout.
 *   <li>An interrupt while an attempt runs or while waiting ends the exchange with
 *       DRS_INTERRUPTED and the thread's interrupt status set; an endpoint closed while waiting
 *       ends it with {@link IllegalStateException}.
 * </ul>
 */
final class DrsRetries {
  /** How long an https attempt runs before the server is asked whether it speaks plain HTTP. */
  static final Duration PROBE_AFTER = Duration.ofSeconds(1);
  /** The longest that question may take. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  /** The endpoint's logger: operators configure the DRS endpoint's log by that one name. */
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
  private final HttpClient client;
  private final Clock clock;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private final DrsFailures failures;
  private final Runnable ensureOpen;

  /**
   * @param ensureOpen runs after every wait; throws {@link IllegalStateException} when the
   *     endpoint was closed meanwhile
   */
  DrsRetries(
      DrsConfig config,
      HttpClient client,
      Clock clock,
      Sleeper sleeper,
      RandomGenerator random,
      DrsFailures failures,
      Runnable ensureOpen) {
    this.config = config;
    this.client = client;
    this.clock = clock;
    this.sleeper = sleeper;
    this.random = random;
    this.failures = failures;
    this.ensureOpen = ensureOpen;
  }

  /**
   * Sends {@code request} (the same request on every attempt) and returns the first answer whose
   * status is not retryable.
   *
   * @param requestId the request's {@code client-request-id}, for the log
   * @param token the request's token, to keep it out of messages
   * @param what the operation, for messages ("Registering key ...")
   * @throws AgentException when the attempts are used up (DRS_SERVER_ERROR, DRS_TIMED_OUT,
   *     DRS_UNREACHABLE), on a final transport failure (DRS_RESPONSE_MALFORMED for a body too
   *     large, DRS_TLS_UNTRUSTED, DRS_UNREACHABLE), or when interrupted (DRS_INTERRUPTED)
   */
  HttpResponse<byte[]> exchange(
      HttpRequest request, String requestId, BearerToken token, String what)
      throws AgentException {
    Instant start = clock.instant();
    int max = config.retry().maxAttempts();
    for (int attempt = 1; ; attempt++) {
      LOG.debug(
          "{} {} (attempt {}/{}, client-request-id {})",
          request.method(), request.uri(), attempt, max, requestId);
      FailedAttempt failure;
      Optional<Duration> retryAfter = Optional.empty();
      try {
        HttpResponse<byte[]> response = send(request, what);
        if (!retryable(response.statusCode())) {
          LOG.debug("{} {}: HTTP {}", request.method(), request.uri(), response.statusCode());
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
          what, config.describe(), failures.summary(failure, token), attempt, max,
          delay.get().toMillis(), retryAfter.isPresent() ? " (Retry-After)" : "");
      try {
        sleeper.sleep(delay.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failures.interrupted(what, e);
      }
      ensureOpen.run();
    }
  }

  /** One attempt: a response, a retryable failure, or a final error. */
  private HttpResponse<byte[]> send(HttpRequest request, String what)
      throws AgentException, RetryableException {
    CompletableFuture<HttpResponse<byte[]>> future =
        client.sendAsync(request, BoundedBody.handler(DrsResponses.MAX_BODY));
    long bound = config.connectTimeout().plus(config.requestTimeout()).toMillis();
    try {
      if (tls(request) && bound > PROBE_AFTER.toMillis()) {
        // a plain HTTP server silent to the TLS hello would hold the attempt to the connect
        // timeout, and every retry after it: ask it in plain HTTP while the attempt waits
        try {
          return future.get(PROBE_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
          Optional<String> plain = PlainHttpProbe.statusLine(request.uri(), probeTimeout());
          if (plain.isPresent()) {
            future.cancel(true);
            throw failures.notTls(what, plain, null);
          }
        }
        bound -= PROBE_AFTER.toMillis();
      }
      return future.get(bound, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RetryableException(new FailedAttempt(Kind.TIMEOUT, null, e));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw failures.interrupted(what, e);
    } catch (ExecutionException e) {
      throw classify(e.getCause() == null ? e : e.getCause(), request, what);
    }
  }

  private static boolean tls(HttpRequest request) {
    return "https".equalsIgnoreCase(request.uri().getScheme());
  }

  private Duration probeTimeout() {
    return config.connectTimeout().compareTo(PROBE_TIMEOUT) < 0 ? config.connectTimeout() : PROBE_TIMEOUT;
  }

  /**
   * Sorts an attempt's exception: retryable, or final (too large, untrusted certificate, a server
   * that does not speak TLS).
   */
  private RetryableException classify(Throwable error, HttpRequest request, String what) throws AgentException {
    BoundedBody.TooLarge tooLarge = Causes.find(error, BoundedBody.TooLarge.class);
    if (tooLarge != null) {
      throw failures.tooLarge(what, tooLarge);
    }
    if (DrsFailures.untrustedCertificate(error)) {
      throw failures.tlsUntrusted(what, error);
    }
    if (tls(request) && (notTlsAnswer(error) || Causes.find(error, HttpConnectTimeoutException.class) != null)) {
      // the server answered the TLS hello with something else, or the handshake never ended:
      // say what is there when it speaks plain HTTP; a mere timeout with no HTTP answer is retried
      Optional<String> plain = PlainHttpProbe.statusLine(request.uri(), probeTimeout());
      if (plain.isPresent() || notTlsAnswer(error)) {
        throw failures.notTls(what, plain, error);
      }
    }
    if (Causes.find(error, HttpConnectTimeoutException.class) != null) {
      return retry(Kind.CONNECT, error);
    }
    if (Causes.find(error, HttpTimeoutException.class) != null) {
      return retry(Kind.TIMEOUT, error);
    }
    if (Causes.find(error, ConnectException.class) != null
        || Causes.find(error, IOException.class) != null) {
      return retry(Kind.CONNECT, error);
    }
    throw failures.unreachable(what, error);
  }

  /** The JDK's words for a TLS hello answered by something that is not TLS. */
  private static boolean notTlsAnswer(Throwable error) {
    SSLException ssl = Causes.find(error, SSLException.class);
    String m = ssl == null || ssl.getMessage() == null ? "" : ssl.getMessage();
    return m.contains("Unrecognized SSL message") || m.contains("plaintext connection");
  }

  private static RetryableException retry(Kind kind, Throwable error) {
    return new RetryableException(
        new FailedAttempt(kind, null, error instanceof Exception ex ? ex : new IOException(error)));
  }

  /** 429 and 5xx, except 501 (not implemented) and 505 (HTTP version): they do not pass. */
  static boolean retryable(int status) {
    return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
  }
}
