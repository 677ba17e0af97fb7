package dev.keytrust.agent.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A Kerberos-over-TCP relay in front of the lab KDC, on 127.0.0.1 and a free port: it counts the
 * connections that reach it (a sign-in that sends nothing leaves the count at 0), can hold the
 * KDC's replies back until released, and can rewrite each reply (a KDC with another certificate:
 * {@link ReplyResigner}). One thread per connection; {@link #close()} stops it.
 */
final class KdcProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress kdc;
  private final UnaryOperator<byte[]> rewrite;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger replies = new AtomicInteger();
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private volatile CountDownLatch held = new CountDownLatch(1);
  private volatile int heldFrom = Integer.MAX_VALUE;

  KdcProxy(InetSocketAddress kdc, UnaryOperator<byte[]> rewrite) throws IOException {
    this.kdc = kdc;
    this.rewrite = rewrite;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "kdc-proxy");
    t.setDaemon(true);
    t.start();
  }

  KdcProxy(InetSocketAddress kdc) throws IOException {
    this(kdc, UnaryOperator.identity());
  }

  /** {@code 127.0.0.1:PORT}, for {@code --kdc}. */
  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** How many connections reached the relay so far. */
  int connections() {
    return connections.get();
  }

  /** How many KDC replies the relay passed on. */
  int replies() {
    return replies.get();
  }

  /** The {@code n}-th reply (from 1) and later ones wait for {@link #release()}. */
  void holdRepliesFrom(int n) {
    hold = new CountDownLatch(1);
    held = new CountDownLatch(1);
    heldFrom = n;
  }

  /** Waits until a reply is held, a minute at most; false when none was. */
  boolean awaitHeld() throws InterruptedException {
    return held.await(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  void release() {
    hold.countDown();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        connections.incrementAndGet();
        Thread t = new Thread(() -> relay(client), "kdc-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void relay(Socket client) {
    try (client; Socket upstream = new Socket()) {
      upstream.connect(kdc, 5000);
      byte[] request = read(client);
      write(upstream, request);
      byte[] reply = rewrite.apply(read(upstream));
      if (replies.get() + 1 >= heldFrom) {
        held.countDown();
        hold.await();
      }
      write(client, reply);
      replies.incrementAndGet();
    } catch (IOException | InterruptedException e) {
      // the client went away (killed) or the test ended
    }
  }

  private static byte[] read(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }

  private static void write(Socket s, byte[] b) throws IOException {
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeInt(b.length);
    out.write(b);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    release();
    try {
      server.close();
    } catch (SocketException ignored) {
      // closed already
    }
  }
}
