package dev.keytrust.agent.endpoint.drs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DRS retry engine against a scripted plain-http server on 127.0.0.1, with recorded waits and
 * a stopped clock: what it retries, how long it waits, and how it stops.
 */
class DrsRetriesTest {
  private static final Clock STOPPED = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final BearerToken TOKEN = BearerToken.of("token-value");

  private HttpServer server;
  private final Deque<int[]> script = new ArrayDeque<>(); // {status, retry-after seconds or -1}
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> methods = new CopyOnWriteArrayList<>();
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      requests.incrementAndGet();
      methods.add(exchange.getRequestMethod());
      int[] next;
      synchronized (script) {
        next = script.size() > 1 ? script.poll() : script.peek();
      }
      if (next[1] >= 0) {
        exchange.getResponseHeaders().set("Retry-After", Integer.toString(next[1]));
      }
      byte[] body = "{}".getBytes(StandardCharsets.US_ASCII);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(next[0], body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(pool); // as any real server: one connection does not hold up the others
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    pool.shutdownNow();
  }

  private void answer(int status, int retryAfterSeconds) {
    synchronized (script) {
      script.add(new int[] {status, retryAfterSeconds});
    }
  }

  private DrsRetries retries(int maxAttempts, DrsRetries.Sleeper sleeper, Runnable ensureOpen)
      throws AgentException {
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    DrsConfig config = DrsConfig.parse(base, new EndpointSettings(Map.of(
        "token-env", "KT_TOKEN", "allow-plain-http", "true", "max-attempts", Integer.toString(maxAttempts),
        "request-timeout", "5s")), name -> null);
    return new DrsRetries(config, client, STOPPED, sleeper, new SplittableRandom(1),
        new DrsFailures(config), ensureOpen);
  }

  private HttpResponse<byte[]> exchange(DrsRetries retries) throws AgentException {
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/EnrollmentServer/key/");
    HttpRequest request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    return retries.exchange(request, "request-id", TOKEN, "Registering key K");
  }

  @Test
  void aRetryableStatusIsRetriedAfterTheServersRetryAfter() throws Exception {
    answer(503, 7);
    answer(200, -1);

    HttpResponse<byte[]> response = exchange(retries(4, waits::add, () -> {}));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(requests).hasValue(2);
    assertThat(waits).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void withoutRetryAfterTheWaitIsTheBackoffWithJitter() throws Exception {
    answer(500, -1);
    answer(429, -1);
    answer(200, -1);

    exchange(retries(4, waits::add, () -> {}));

    assertThat(waits).hasSize(2);
    assertThat(waits.get(0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
    assertThat(waits.get(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
  }

  @Test
  void onlyTooManyRequestsAndServerErrorsThatMayPassAreRetried() {
    assertThat(DrsRetries.retryable(429)).isTrue();
    assertThat(DrsRetries.retryable(500)).isTrue();
    assertThat(DrsRetries.retryable(503)).isTrue();
    assertThat(DrsRetries.retryable(599)).isTrue();
    assertThat(DrsRetries.retryable(501)).isFalse();
    assertThat(DrsRetries.retryable(505)).isFalse();
    assertThat(DrsRetries.retryable(400)).isFalse();
    assertThat(DrsRetries.retryable(401)).isFalse();
    assertThat(DrsRetries.retryable(200)).isFalse();
  }

  @Test
  void aFinalStatusIsReturnedAtOnce() throws Exception {
    answer(501, -1);

    HttpResponse<byte[]> response = exchange(retries(4, waits::add, () -> {}));

    assertThat(response.statusCode()).isEqualTo(501);
    assertThat(requests).hasValue(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void afterTheLastAttemptTheServerErrorNamesTheAttempts() throws Exception {
    answer(500, -1);

    assertThatThrownBy(() -> exchange(retries(2, waits::add, () -> {})))
        .isInstanceOfSatisfying(AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_SERVER_ERROR))
        .hasMessageContaining("the server kept failing (2 attempts in 0 s); last HTTP 500.");
    assertThat(requests).hasValue(2);
    assertThat(waits).hasSize(1);
  }

  @Test
  void anInterruptWhileWaitingEndsTheExchangeAndKeepsTheInterruptStatus() throws Exception {
    answer(503, -1);
    DrsRetries retries = retries(4, d -> {
      throw new InterruptedException();
    }, () -> {});
    try {
      assertThatThrownBy(() -> exchange(retries))
          .isInstanceOfSatisfying(AgentException.class,
              e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_INTERRUPTED));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(requests).hasValue(1);
  }

  @Test
  void anEndpointClosedWhileWaitingSendsNoMore() throws Exception {
    answer(503, -1);
    DrsRetries retries = retries(4, waits::add, () -> {
      throw new IllegalStateException("this endpoint is closed");
    });

    assertThatThrownBy(() -> exchange(retries)).isInstanceOf(IllegalStateException.class);
    assertThat(requests).hasValue(1);
  }

  private DrsRetries tlsRetries(URI base) throws AgentException {
    DrsConfig config = DrsConfig.parse(base, new EndpointSettings(Map.of(
        "token-env", "KT_TOKEN", "max-attempts", "4", "connect-timeout", "10s", "request-timeout", "5s")),
        name -> null);
    return new DrsRetries(config, client, STOPPED, waits::add, new SplittableRandom(1), new DrsFailures(config),
        () -> {});
  }

  private static HttpRequest post(URI base) {
    return HttpRequest.newBuilder(base.resolve("/EnrollmentServer/key/"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
  }

  @Test
  void aPlainHttpServerSilentToTheTlsHelloIsAWrongPortNotAnOutage() throws Exception {
    // the JDK's HttpServer waits for a request line the TLS hello never ends: the handshake would
    // run into the connect timeout on each of the four attempts
    answer(404, -1);
    URI base = URI.create("https://127.0.0.1:" + server.getAddress().getPort());

    assertThatThrownBy(() -> tlsRetries(base).exchange(post(base), "request-id", TOKEN, "Registering key K"))
        .isInstanceOfSatisfying(AgentException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_NOT_TLS);
          assertThat(e.getMessage()).contains("does not speak TLS").contains("'HTTP/1.1 404 ")
              .contains("wrong port or scheme").doesNotContain("token-value");
        });
    assertThat(waits).as("no retry").isEmpty();
    assertThat(methods).as("only the probe's HEAD reached the server").containsExactly("HEAD");
  }

  @Test
  void aServerThatAnswersTheTlsHelloInPlainHttpIsAWrongPortAtOnce() throws Exception {
    // as Python's http.server: the hello is answered at once with a 400 the TLS client cannot read
    try (ServerSocket plain = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        while (!plain.isClosed()) {
          try (Socket s = plain.accept()) {
            s.getInputStream().read(new byte[512]);
            s.getOutputStream().write("HTTP/1.0 400 Bad request\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
          } catch (IOException closed) {
            // the test is over
          }
        }
      });
      t.setDaemon(true);
      t.start();
      URI base = URI.create("https://127.0.0.1:" + plain.getLocalPort());

      assertThatThrownBy(() -> tlsRetries(base).exchange(post(base), "request-id", TOKEN, "Registering key K"))
          .isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_NOT_TLS);
            assertThat(e.getMessage()).contains("'HTTP/1.0 400 Bad request'");
          });
      assertThat(waits).as("no retry").isEmpty();
    }
  }

  @Test
  void aClosedPortIsStillAnOutageThatIsRetried() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    URI base = URI.create("https://127.0.0.1:" + closed);

    assertThatThrownBy(() -> tlsRetries(base).exchange(post(base), "request-id", TOKEN, "Registering key K"))
        .isInstanceOfSatisfying(AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_UNREACHABLE));
    assertThat(waits).as("three waits between four attempts").hasSize(3);
  }
}
