package dev.keytrust.lab.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * An HTTP or HTTPS server ({@code com.sun.net.httpserver}) on {@value #HOST} on a free port: the
 * one way the lab's services and the benchmarks' key service serve HTTP. Its handler threads are
 * daemons named after the server; {@link #close()} stops it without waiting for them, {@link
 * #awaitTermination} waits.
 *
 * <pre>{@code
 * LoopbackHttpServer server = LoopbackHttpServer.builder("lab-key-service")
 *     .tls(certificates.serverSslContext())
 *     .backlog(50)
 *     .handle("/", exchange -> LoopbackHttpServer.send(exchange, 204, new byte[0]))
 *     .start();
 * URI base = server.uri(); // https://127.0.0.1:PORT
 * }</pre>
 *
 * <p><b>TCP_NODELAY.</b> The JDK server writes an answer's headers and its body as two writes; with
 * Nagle's algorithm on, the body then waits for the client's delayed ACK of the headers (about 40
 * ms on Linux loopback) before it leaves. Every accepted connection is therefore made with
 * TCP_NODELAY: the JDK server reads {@value #NODELAY} once, when its first server in the JVM is
 * made, so this class sets it (unless the JVM was started with another value) before it makes
 * its first server ({@link #nodelay()} tells whether it took effect). A change to how the lab's
 * servers accept or answer belongs here, the one place they are made.
 *
 * <p>The static helpers are what every handler needs: a request body read up to a limit, a body
 * skipped, and an answer sent with the length the JDK server wants ({@code -1} for none).
 */
public final class LoopbackHttpServer implements AutoCloseable {
  /** The address every server binds: the IPv4 loopback. */
  public static final String HOST = "127.0.0.1";

  /** The system property the JDK server reads, once, for TCP_NODELAY on accepted connections. */
  public static final String NODELAY = "sun.net.httpserver.nodelay";

  static {
    // before the first HttpServer of this JVM: the JDK's ServerConfig reads it in its static initializer
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
  }

  /**
   * True when the servers of this JVM set TCP_NODELAY on accepted connections: {@value #NODELAY}
   * is true (set here unless the JVM was started with another value). A server made through
   * {@code com.sun.net.httpserver} directly before this class was loaded would have fixed the
   * JDK's setting earlier; no code of keytrust does that.
   */
  public static boolean nodelay() {
    return Boolean.parseBoolean(System.getProperty(NODELAY));
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final URI uri;

  private LoopbackHttpServer(HttpServer server, ExecutorService executor, String scheme) {
    this.server = server;
    this.executor = executor;
    this.uri = URI.create(scheme + "://" + HOST + ":" + server.getAddress().getPort());
  }

  /**
   * A server whose handler threads are named {@code name-1}, {@code name-2}, ...; plain HTTP, a
   * thread for every request handled at the same time, and the JDK's default backlog unless set.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** How the server is made; {@link #start()} binds and starts it. */
  public static final class Builder {
    private final String name;
    private SSLContext tls;
    private int backlog;
    private int threads;
    private final Map<String, HttpHandler> handlers = new LinkedHashMap<>();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Serves HTTPS with this context's key and certificate. */
    public Builder tls(SSLContext context) {
      this.tls = Objects.requireNonNull(context, "context");
      return this;
    }

    /** The listen backlog (0: the JDK's default). */
    public Builder backlog(int backlog) {
      this.backlog = backlog;
      return this;
    }

    /** At most this many handler threads (0, the default: one for every request in progress). */
    public Builder threads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException("threads must not be negative");
      }
      this.threads = threads;
      return this;
    }

    /** Requests whose path starts with {@code path} go to {@code handler}. */
    public Builder handle(String path, HttpHandler handler) {
      handlers.put(path, Objects.requireNonNull(handler, "handler"));
      return this;
    }

    /**
     * Binds {@value #HOST} on a free port and starts serving: {@code bind().start()}.
     *
     * @throws IOException when the server cannot be bound
     */
    public LoopbackHttpServer start() throws IOException {
      return bind().start();
    }

    /**
     * Binds {@value #HOST} on a free port without serving yet, so that the port is known before
     * the first request can arrive; {@link LoopbackHttpServer#start()} starts serving.
     *
     * @throws IOException when the server cannot be bound
     */
    public LoopbackHttpServer bind() throws IOException {
      ExecutorService executor =
          threads == 0
              ? Executors.newCachedThreadPool(daemons(name))
              : Executors.newFixedThreadPool(threads, daemons(name));
      HttpServer server;
      try {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(HOST), 0);
        if (tls != null) {
          HttpsServer https = HttpsServer.create(address, backlog);
          https.setHttpsConfigurator(new HttpsConfigurator(tls));
          server = https;
        } else {
          server = HttpServer.create(address, backlog);
        }
      } catch (IOException | RuntimeException e) {
        executor.shutdownNow();
        throw e;
      }
      server.setExecutor(executor);
      handlers.forEach(server::createContext);
      return new LoopbackHttpServer(server, executor, tls != null ? "https" : "http");
    }
  }

  /** Starts serving a server from {@link Builder#bind()}; returns it. */
  public LoopbackHttpServer start() {
    server.start();
    return this;
  }

  /** {@code http://127.0.0.1:PORT} or {@code https://127.0.0.1:PORT}, without a path. */
  public URI uri() {
    return uri;
  }

  public int port() {
    return uri.getPort();
  }

  /**
   * Stops listening, closes the open connections and interrupts the handler threads; does not wait
   * for them to end ({@link #awaitTermination}).
   */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * After {@link #close()}: waits until every handler thread has ended.
   *
   * @return false when some were still running after {@code wait}
   */
  public boolean awaitTermination(Duration wait) throws InterruptedException {
    return executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public String toString() {
    return "LoopbackHttpServer[" + uri + "]";
  }

  // ---- for handlers ----

  /** The request body, or {@code null} when it is longer than {@code limit} bytes. */
  public static byte[] readBounded(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      if (out.size() + n > limit) {
        return null;
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** Reads and drops the request body, giving up after a little more than {@code limit} bytes. */
  public static void drain(InputStream in, int limit) throws IOException {
    byte[] buffer = new byte[8192];
    long total = 0;
    int n;
    while (total <= limit && (n = in.read(buffer)) >= 0) {
      total += n;
    }
  }

  /**
   * Sends {@code status} with the response headers set so far and {@code body}, which may be
   * empty (then the answer has no body at all).
   */
  public static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static ThreadFactory daemons(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
