package dev.keytrust.error;

import java.util.Objects;

/**
 * The checked base of every error tpm-core raises. The message says what failed, why, and what to
 * do next; it never contains a PIN, an auth value or key material.
 */
public class KeytrustException extends Exception {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public KeytrustException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public KeytrustException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return code.id() + " " + code.name() + ": " + getMessage();
  }
}
