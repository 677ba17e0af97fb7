package dev.keytrust.tpm;

import dev.keytrust.error.KeytrustException;
import java.io.Closeable;
import java.time.Duration;

/**
 * The one seam between keytrust and a TPM: a complete TPM 2.0 command buffer in, the complete
 * response buffer out. Simulator sockets, {@code /dev/tpmrm0} and Windows TBS all implement this,
 * so hardware and simulator run the same code above it.
 *
 * <p>Implementations apply their own I/O timeout, never print, and raise {@code TPM_TRANSPORT}
 * errors (with the OS or socket cause) rather than unchecked exceptions. They need not be thread
 * safe: {@link TpmSession} serializes every call.
 */
public interface TpmTransport extends Closeable {

  /**
   * Sends one command and waits for its response.
   *
   * @param command a marshalled TPM 2.0 command (tag, size, code, ...)
   * @return the marshalled response, exactly as many bytes as its header's size field says
   */
  byte[] transmit(byte[] command) throws KeytrustException;

  /**
   * Sends one command and waits for its response at most {@code timeout}, or the transport's own
   * I/O timeout if that is shorter. {@link TpmSession} chooses {@code timeout} per command ({@link
   * CommandTimeouts}). A timeout fails with {@link CommandTimeouts#timedOut}, which names the
   * command, and leaves the transport unusable (a late response would otherwise be taken for the
   * next command's).
   *
   * <p>The default ignores {@code timeout} and applies only the transport's own I/O timeout: for
   * wrappers and test doubles. keytrust's transports override it.
   */
  default byte[] transmit(byte[] command, Duration timeout) throws KeytrustException {
    return transmit(command);
  }

  /** A short human description for diagnostics, e.g. {@code mssim://127.0.0.1:2321}. */
  String describe();

  @Override
  void close();
}
