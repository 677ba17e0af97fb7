package dev.keytrust.error;

import java.time.Duration;
import java.util.Objects;

/**
 * Too many wrong PINs: the TPM (dictionary-attack protection) or the software provider refuses
 * authorization until {@link #retryAfter()} has passed.
 */
public final class LockedOutException extends KeytrustException {
  private static final long serialVersionUID = 1L;
  private final Duration retryAfter;

  public LockedOutException(Duration retryAfter, String message) {
    super(CoreErrorCode.LOCKED_OUT, message);
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  /** The longest time to wait before one more try is allowed. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
