package dev.keytrust.lab.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.lab.LabCertificates;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's one HTTP server helper: loopback on a free port, HTTP and HTTPS, its handler threads, its body helpers. */
class LoopbackHttpServerTest {
  @TempDir Path dir;

  @Test
  void servesPlainHttpOnLoopbackWithNamedDaemonThreads() throws Exception {
    AtomicReference<Thread> handlerThread = new AtomicReference<>();
    LoopbackHttpServer server = LoopbackHttpServer.builder("test-server")
        .handle("/echo", exchange -> {
          handlerThread.set(Thread.currentThread());
          byte[] body = LoopbackHttpServer.readBounded(exchange.getRequestBody(), 5);
          LoopbackHttpServer.send(exchange, body == null ? 413 : 200, body == null ? new byte[0] : body);
          exchange.close();
        })
        .start();
    try {
      assertThat(server.uri()).isEqualTo(URI.create("http://127.0.0.1:" + server.port()));
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> small = client.send(post(server.uri() + "/echo", "hello"), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> large = client.send(post(server.uri() + "/echo", "hello!"), HttpResponse.BodyHandlers.ofString());

      assertThat(small.statusCode()).isEqualTo(200);
      assertThat(small.body()).isEqualTo("hello");
      assertThat(large.statusCode()).isEqualTo(413);
      assertThat(large.body()).isEmpty();
      assertThat(handlerThread.get().getName()).startsWith("test-server-");
      assertThat(handlerThread.get().isDaemon()).isTrue();
    } finally {
      server.close();
    }
    assertThat(server.awaitTermination(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void acceptedConnectionsGetTcpNodelay() throws Exception {
    // the JDK server reads the property once, for the first server of the JVM: the class sets it first
    try (LoopbackHttpServer server = LoopbackHttpServer.builder("test-nodelay")
        .handle("/", exchange -> {
          LoopbackHttpServer.send(exchange, 204, new byte[0]);
          exchange.close();
        })
        .start()) {
      assertThat(System.getProperty(LoopbackHttpServer.NODELAY)).isEqualTo("true");
      assertThat(LoopbackHttpServer.nodelay()).isTrue();
    }
  }

  @Test
  void servesHttpsWithTheGivenContext() throws Exception {
    LabCertificates certs = LabCertificates.create(dir.resolve("pki"));
    try (LoopbackHttpServer server = LoopbackHttpServer.builder("test-tls").tls(certs.serverSslContext())
        .handle("/", exchange -> {
          LoopbackHttpServer.send(exchange, 204, new byte[0]);
          exchange.close();
        })
        .start()) {
      assertThat(server.uri().getScheme()).isEqualTo("https");
      HttpClient client = HttpClient.newBuilder().sslContext(certs.clientSslContext()).build();
      HttpResponse<Void> r = client.send(HttpRequest.newBuilder(server.uri()).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(r.statusCode()).isEqualTo(204);
    }
  }

  @Test
  void drainStopsSoonAfterTheLimit() throws Exception {
    ByteArrayInputStream in = new ByteArrayInputStream(new byte[100_000]);
    LoopbackHttpServer.drain(in, 10_000);
    assertThat(in.available()).isPositive().isLessThan(100_000);
  }

  private static HttpRequest post(String uri, String body) {
    return HttpRequest.newBuilder(URI.create(uri))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.US_ASCII)).build();
  }
}
