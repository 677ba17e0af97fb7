package dev.keytrust.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The smallest key service the provisioning benchmark can register to: a {@link HttpServer} on
 * 127.0.0.1 on a free port. {@code POST /keys} (a JSON body, read whole, not interpreted) answers
 * 200 with {@code {"kid":"<new GUID>"}}; {@code DELETE /keys/<id>} answers 204. It stores nothing
 * and only counts registrations. Not the lab's key service on purpose: the benchmark measures the
 * client side, and a server that does nothing keeps its share of the time small and steady.
 */
final class LoopbackKeyService implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicInteger registrations = new AtomicInteger();

  private LoopbackKeyService(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static LoopbackKeyService start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "keytrust-bench-key-service");
      t.setDaemon(true);
      return t;
    });
    LoopbackKeyService service = new LoopbackKeyService(server, executor);
    server.createContext("/keys", service::handle);
    server.setExecutor(executor);
    server.start();
    return service;
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
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
        case "DELETE" -> exchange.sendResponseHeaders(204, -1);
        default -> exchange.sendResponseHeaders(405, -1);
      }
    }
  }

  /** {@code http://127.0.0.1:<port>/keys}. */
  String uri() {
    InetSocketAddress a = server.getAddress();
    return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/keys";
  }

  int registrations() {
    return registrations.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
