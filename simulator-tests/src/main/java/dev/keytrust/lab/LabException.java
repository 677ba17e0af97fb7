package dev.keytrust.lab;

/**
 * The lab rig failed: swtpm did not start or stop, or an external tool failed or timed out. The
 * message says what failed and includes the tool's diagnostics (never a secret: auth values are
 * passed to tools on standard input, not on the command line).
 */
public class LabException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LabException(String message) {
    super(message);
  }

  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
