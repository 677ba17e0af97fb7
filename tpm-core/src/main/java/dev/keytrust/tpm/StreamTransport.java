package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;

/**
 * Shared I/O for the socket transports: whole-buffer writes and exact reads with EOF detection,
 * and the I/O timeout, the ceiling of every command's own timeout. The subclass that owns the
 * socket applies the timeout of each exchange.
 */
abstract class StreamTransport implements TpmTransport {
  /** The largest response any TPM 2.0 returns is far below this; a bigger size means a broken stream. */
  static final int MAX_RESPONSE = 64 * 1024;
  static final int HEADER = 10;

  private final String description;
  private volatile Duration ioTimeout;
  private volatile boolean broken;

  StreamTransport(String description, Duration ioTimeout) {
    this.description = description;
    this.ioTimeout = positive(ioTimeout);
  }

  private static Duration positive(Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("The TPM I/O timeout must be positive, got " + d);
    }
    return d;
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * Changes the longest any one exchange may take, whatever timeout its command asks for (the
   * first command after connecting uses a short one).
   */
  final void setIoTimeout(Duration timeout) {
    this.ioTimeout = positive(timeout);
  }

  /** Sends one command with the transport's I/O timeout as its timeout. */
  @Override
  public final byte[] transmit(byte[] command) throws KeytrustException {
    return transmit(command, ioTimeout);
  }

  /** The timeout an exchange really gets: the shorter of {@code requested} and the I/O timeout. */
  final Duration effectiveTimeout(Duration requested) {
    Duration ceiling = ioTimeout;
    return requested == null || requested.compareTo(ceiling) > 0 ? ceiling : positive(requested);
  }

  /** Marks the stream unusable, closes it, and names the command that got no answer in time. */
  final KeytrustException timedOut(byte[] command, Duration waited, Throwable cause) {
    broken = true;
    close();
    return CommandTimeouts.timedOut(description, command, waited, cause);
  }

  /** Reads exactly {@code n} bytes or fails. */
  abstract void readFully(byte[] into, int off, int n) throws IOException;

  abstract void writeAll(byte[] data) throws IOException;

  final byte[] readTpmResponse() throws IOException, KeytrustException {
    byte[] header = new byte[HEADER];
    readFully(header, 0, HEADER);
    int size = ByteBuffer.wrap(header, 2, 4).getInt();
    if (size < HEADER || size > MAX_RESPONSE) {
      throw failure("the TPM sent a response header with size " + size, null);
    }
    byte[] response = Arrays.copyOf(header, size);
    readFully(response, HEADER, size - HEADER);
    return response;
  }

  /** True once an exchange failed: the stream is closed and stays so. */
  final boolean isBroken() {
    return broken;
  }

  final void checkUsable() throws KeytrustException {
    if (broken) {
      throw new KeytrustException(
          CoreErrorCode.TPM_TRANSPORT,
          "The connection to " + description + " failed earlier and was closed: open a new session.");
    }
  }

  final KeytrustException ioFailure(IOException e) {
    broken = true;
    close();
    if (e instanceof SocketTimeoutException || e instanceof java.io.InterruptedIOException) {
      return failure("the TPM did not answer in time (" + e.getMessage() + ")", e);
    }
    if (e instanceof EOFException) {
      return failure("the TPM closed the connection in the middle of a response", e);
    }
    return failure(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  final KeytrustException failure(String why, Throwable cause) {
    broken = true;
    return new KeytrustException(
        CoreErrorCode.TPM_TRANSPORT,
        "TPM I/O with " + description + " failed: " + why
            + ". Check that the TPM (or simulator) is running and serves one client at a time.",
        cause);
  }

  /**
   * A socket's input whose every read waits at most until one deadline: the socket read timeout
   * is set, before each read, to the time left. A plain socket timeout bounds each read alone, so
   * a response trickling in byte by byte could take any time.
   */
  static final class DeadlineInputStream extends FilterInputStream {
    private final Socket socket;
    private volatile long deadlineNanos;

    DeadlineInputStream(Socket socket) throws IOException {
      super(socket.getInputStream());
      this.socket = socket;
      this.deadlineNanos = System.nanoTime() + Duration.ofDays(1).toNanos();
    }

    /** Sets the deadline of the reads that follow, on the {@link System#nanoTime()} clock. */
    void deadline(long nanoTime) {
      this.deadlineNanos = nanoTime;
    }

    private void arm() throws IOException {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("Read timed out");
      }
      socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
    }

    @Override
    public int read() throws IOException {
      arm();
      return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      arm();
      return super.read(b, off, len);
    }
  }

  static void readChannelFully(SocketChannel ch, byte[] into, int off, int n) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into, off, n);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("end of stream after " + (b.position() - off) + " of " + n + " bytes");
      }
    }
  }
}
