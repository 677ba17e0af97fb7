package dev.keytrust.bench;

import com.sun.net.httpserver.HttpExchange;
import dev.keytrust.lab.http.LoopbackHttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The smallest key service the provisioning benchmark can register to: a {@link
 * LoopbackHttpServer} on 127.0.0.1 on a free port with one handler thread. {@code POST /keys} (a
 * JSON body, read whole, not interpreted) answers 200 with {@code {"kid":"<new GUID>"}}; {@code
 * DELETE /keys/<id>} answers 204. It stores nothing and only counts registrations. Not the lab's
 * key service on purpose: the benchmark measures the client side, and a server that does nothing
 * keeps its share of the time small and steady.
 */
final class LoopbackKeyService implements AutoCloseable {
  private final AtomicInteger registrations = new AtomicInteger();
  private final LoopbackHttpServer server;

  private LoopbackKeyService() throws IOException {
    server = LoopbackHttpServer.builder("keytrust-bench-key-service")
        .backlog(16)
        .threads(1)
        .handle("/keys", this::handle)
        .start();
  }

  static LoopbackKeyService start() throws IOException {
    return new LoopbackKeyService();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes();
      }
      switch (exchange.getRequestMethod()) {
        case "POST" -> {
          registrations.incrementAndGet();
          byte[] body = ("{\"kid\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.US_ASCII);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          LoopbackHttpServer.send(exchange, 200, body);
        }
        case "DELETE" -> LoopbackHttpServer.send(exchange, 204, new byte[0]);
        default -> LoopbackHttpServer.send(exchange, 405, new byte[0]);
      }
    }
  }

  /** {@code http://127.0.0.1:<port>/keys}. */
  String uri() {
    return server.uri() + "/keys";
  }

  int registrations() {
    return registrations.get();
  }

  @Override
  public void close() {
    server.close();
  }
}
