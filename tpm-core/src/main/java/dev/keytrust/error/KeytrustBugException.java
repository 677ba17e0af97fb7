package dev.keytrust.error;

/** A state that cannot happen unless keytrust has a bug. Unchecked on purpose. */
public final class KeytrustBugException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public KeytrustBugException(String message, Throwable cause) {
    super(message, cause);
  }

  public KeytrustBugException(String message) {
    super(message);
  }
}
