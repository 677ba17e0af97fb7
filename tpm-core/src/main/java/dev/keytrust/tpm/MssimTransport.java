package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * The MS/IBM TPM simulator command protocol on its TCP data port, which swtpm also speaks:
 * {@code u32 TPM_SEND_COMMAND(8) | u8 locality | u32 size | command}, answered by
 * {@code u32 size | response | u32 status}. Unlike TSS.Java's TpmDeviceTcp this sets TCP_NODELAY
 * (saving ~44 ms per command), gives each command a deadline (every read of its response waits
 * only for the time left), writes each command in one segment and never opens the platform port
 * (swtpm's control port speaks a different protocol). Reads go through a buffer, so that the size,
 * the response and the status of an answer usually come in one read from the socket instead of
 * one system call for every byte of the size and the status.
 */
final class MssimTransport extends StreamTransport {
  static final int TPM_SEND_COMMAND = 8;

  private final Socket socket;
  private final DeadlineInputStream deadline;
  private final DataInputStream in;
  private final OutputStream out;

  private MssimTransport(String description, Socket socket, Duration ioTimeout) throws IOException {
    super(description, ioTimeout);
    this.socket = socket;
    this.deadline = new DeadlineInputStream(socket);
    // a response (at most MAX_RESPONSE) plus its size and status fits in the buffer; the protocol is
    // one command, one answer, so nothing of the next answer is ever read ahead. Each read the
    // buffer makes from the socket waits only until the command's deadline.
    this.in = new DataInputStream(new BufferedInputStream(deadline, 8192));
    this.out = socket.getOutputStream();
  }

  static MssimTransport connect(TpmUri uri, Duration ioTimeout) throws KeytrustException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setSoTimeout(timeoutMillis(ioTimeout));
      s.connect(new InetSocketAddress(uri.host(), uri.port()), timeoutMillis(ioTimeout));
      return new MssimTransport(uri.toString(), s, ioTimeout);
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing more to release
      }
      throw new KeytrustException(
          CoreErrorCode.TPM_UNREACHABLE,
          "Cannot connect to the TPM simulator at " + uri + ": " + e.getMessage()
              + ". Start it first, e.g. swtpm socket --tpm2 --server type=tcp,port=" + uri.port()
              + " --ctrl type=tcp,port=" + (uri.port() + 1)
              + " --flags not-need-init,startup-clear --tpmstate dir=DIR",
          e);
    }
  }

  static int timeoutMillis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  @Override
  public byte[] transmit(byte[] command, Duration timeout) throws KeytrustException {
    checkUsable();
    Duration wait = effectiveTimeout(timeout);
    deadline.deadline(System.nanoTime() + wait.toNanos());
    ByteBuffer frame = ByteBuffer.allocate(9 + command.length);
    frame.putInt(TPM_SEND_COMMAND).put((byte) 0).putInt(command.length).put(command);
    try {
      writeAll(frame.array());
      int size = in.readInt();
      if (size < HEADER || size > MAX_RESPONSE) {
        throw failure("the simulator announced a response of " + size + " bytes", null);
      }
      byte[] response = new byte[size];
      readFully(response, 0, size);
      int declared = ByteBuffer.wrap(response, 2, 4).getInt();
      int status = in.readInt();
      if (declared != size) {
        throw failure("the response frame holds " + size + " bytes but its header says " + declared, null);
      }
      if (status != 0) {
        throw failure("the simulator acknowledged the command with status " + status, null);
      }
      return response;
    } catch (SocketTimeoutException e) {
      throw timedOut(command, wait, e);
    } catch (IOException e) {
      throw ioFailure(e);
    } finally {
      Arrays.fill(frame.array(), (byte) 0);
    }
  }

  @Override
  void readFully(byte[] into, int off, int n) throws IOException {
    in.readFully(into, off, n);
  }

  @Override
  void writeAll(byte[] data) throws IOException {
    out.write(data);
    out.flush();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a socket we own; nothing to report
    }
  }
}
