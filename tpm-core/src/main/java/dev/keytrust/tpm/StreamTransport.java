package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Shared I/O for the socket transports: whole-buffer writes and exact reads with EOF detection.
 * The socket read timeout is applied by the subclass that owns the socket.
 */
abstract class StreamTransport implements TpmTransport {
  /** The largest response any TPM 2.0 returns is far below this; a bigger size means a broken stream. */
  static final int MAX_RESPONSE = 64 * 1024;
  static final int HEADER = 10;

  private final String description;
  private volatile boolean broken;

  StreamTransport(String description) {
    this.description = description;
  }

  @Override
  public String describe() {
    return description;
  }

  /** Changes how long one exchange may take (the first command after connecting uses a short one). */
  abstract void setIoTimeout(java.time.Duration timeout) throws KeytrustException;

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

  static void readChannelFully(SocketChannel ch, byte[] into, int off, int n) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into, off, n);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("end of stream after " + (b.position() - off) + " of " + n + " bytes");
      }
    }
  }
}
