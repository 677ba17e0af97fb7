package dev.keytrust.agent.mfa;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP(S) server on 127.0.0.1, port 0, playing the MFA service: answers the start and the
 * status requests from scripts (the last answer repeats), records every request. Stopped by the
 * test with {@link #close()}.
 */
final class PushServer implements AutoCloseable {
  record Answer(int status, String body) {}

  record Seen(String method, String path, String authorization, String contentType, String body) {}

  private final HttpServer server;
  private final Deque<Answer> starts = new ArrayDeque<>();
  private final Deque<Answer> polls = new ArrayDeque<>();
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  private PushServer(HttpServer server) {
    this.server = server;
    server.createContext("/", this::handle);
    server.start();
  }

  static PushServer http() throws IOException {
    return new PushServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
  }

  static PushServer https(SSLContext tls) throws IOException {
    HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(tls));
    return new PushServer(s);
  }

  URI base() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  synchronized PushServer onStart(int status, String body) {
    starts.add(new Answer(status, body));
    return this;
  }

  synchronized PushServer onPoll(int status, String body) {
    polls.add(new Answer(status, body));
    return this;
  }

  long polls() {
    return seen.stream().filter(s -> s.method().equals("GET")).count();
  }

  private synchronized Answer next(Deque<Answer> script) {
    return script.size() > 1 ? script.poll() : script.peek();
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(),
        ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Content-Type"), body));
    Answer a;
    if (ex.getRequestMethod().equals("POST") && ex.getRequestURI().getPath().equals("/mfa/push")) {
      a = next(starts);
    } else if (ex.getRequestMethod().equals("GET") && ex.getRequestURI().getPath().startsWith("/mfa/push/")) {
      a = next(polls);
    } else {
      a = new Answer(404, "{}");
    }
    if (a == null) {
      a = new Answer(500, "no script");
    }
    byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
