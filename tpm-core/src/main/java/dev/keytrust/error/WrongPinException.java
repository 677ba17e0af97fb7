package dev.keytrust.error;

import java.util.OptionalInt;

/** The PIN was wrong. Carries how many tries are left before lockout, when the provider knows it. */
public final class WrongPinException extends KeytrustException {
  private static final long serialVersionUID = 1L;
  private final int triesLeft;

  /** @param triesLeft tries left before lockout, or -1 when unknown */
  public WrongPinException(int triesLeft, String message) {
    super(CoreErrorCode.WRONG_PIN, message);
    this.triesLeft = triesLeft;
  }

  public OptionalInt triesLeft() {
    return triesLeft < 0 ? OptionalInt.empty() : OptionalInt.of(triesLeft);
  }
}
