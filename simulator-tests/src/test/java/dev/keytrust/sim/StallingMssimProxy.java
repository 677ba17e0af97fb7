package dev.keytrust.sim;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a swtpm data port that plays a misbehaving TPM: it forwards
 * MS-simulator command frames ({@code u32 8 | u8 locality | u32 size | command}) and relays the
 * answers, except that from a chosen point on it stops answering (the command is never forwarded
 * and the connection stays open), and that it can hold the answer to chosen commands for a while.
 * It listens on 127.0.0.1 on a free port and serves one client connection at a time, like swtpm;
 * {@link #close()} stops it and every connection.
 */
final class StallingMssimProxy implements AutoCloseable {
  private static final int TPM_SEND_COMMAND = 8;

  private final InetSocketAddress upstream;
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Map<Integer, Duration> delays = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> delayed = new ConcurrentHashMap<>();
  private final AtomicInteger forwarded = new AtomicInteger();
  private volatile int stallAfter = Integer.MAX_VALUE;
  private volatile int stallAtCode = -1;
  private volatile int stalledCode = -1;

  StallingMssimProxy(String host, int port) throws IOException {
    this.upstream = new InetSocketAddress(host, port);
    this.server = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"));
    this.acceptor = new Thread(this::acceptLoop, "stalling-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The URI keytrust opens to reach swtpm through this proxy. */
  String tpmUri() {
    return "mssim://127.0.0.1:" + server.getLocalPort();
  }

  /** Forwards {@code n} more commands, then answers none (the TPM stalls after its first answers). */
  void stallAfter(int n) {
    stallAfter = forwarded.get() + n;
  }

  /** Forwards everything up to the first command with this code, which is never answered. */
  void stallAt(int commandCode) {
    stallAtCode = commandCode;
  }

  /** Holds the answer to every command with this code for {@code delay} before relaying it. */
  void delayAnswers(int commandCode, Duration delay) {
    delays.put(commandCode, delay);
  }

  /** How many answers to {@code commandCode} were held back. */
  int delayedCount(int commandCode) {
    AtomicInteger n = delayed.get(commandCode);
    return n == null ? 0 : n.get();
  }

  /** The code of the command the proxy stopped at, or -1. */
  int stalledCode() {
    return stalledCode;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try (Socket client = server.accept(); Socket tpm = new Socket()) {
        open.add(client);
        open.add(tpm);
        tpm.setTcpNoDelay(true);
        tpm.connect(upstream, 5_000);
        relay(client, tpm);
      } catch (IOException e) {
        // the client went away, or close() closed the sockets: serve the next one, if any
      }
      open.removeIf(Socket::isClosed);
    }
  }

  private void relay(Socket client, Socket tpm) throws IOException {
    DataInputStream fromClient = new DataInputStream(client.getInputStream());
    DataOutputStream toClient = new DataOutputStream(client.getOutputStream());
    DataInputStream fromTpm = new DataInputStream(tpm.getInputStream());
    DataOutputStream toTpm = new DataOutputStream(tpm.getOutputStream());
    while (true) {
      int kind = fromClient.readInt();
      if (kind != TPM_SEND_COMMAND) {
        throw new IOException("the proxy relays TPM_SEND_COMMAND frames only, got " + kind);
      }
      int locality = fromClient.readUnsignedByte();
      byte[] command = new byte[fromClient.readInt()];
      fromClient.readFully(command);
      int code = command.length >= 10 ? ByteBuffer.wrap(command, 6, 4).getInt() : -1;
      if (forwarded.get() >= stallAfter || code == stallAtCode) {
        stalledCode = code;
        // hold the connection open and answer nothing: read until the client gives up
        while (fromClient.read() >= 0) {
          // discard
        }
        return;
      }
      toTpm.writeInt(TPM_SEND_COMMAND);
      toTpm.writeByte(locality);
      toTpm.writeInt(command.length);
      toTpm.write(command);
      toTpm.flush();
      byte[] response = new byte[fromTpm.readInt()];
      fromTpm.readFully(response);
      int status = fromTpm.readInt();
      forwarded.incrementAndGet();
      Duration delay = delays.get(code);
      if (delay != null) {
        delayed.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
        sleep(delay);
      }
      toClient.writeInt(response.length);
      toClient.write(response);
      toClient.writeInt(status);
      toClient.flush();
    }
  }

  private static void sleep(Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
