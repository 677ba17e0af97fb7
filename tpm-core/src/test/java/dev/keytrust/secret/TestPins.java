package dev.keytrust.secret;

import dev.keytrust.error.KeytrustException;

/** Test PINs: a {@link Pin} from a string (tests only; a real PIN never becomes a String). */
public final class TestPins {
  private TestPins() {}

  /** The PIN {@code text}; fails the test when it is not a valid PIN. */
  public static Pin pin(String text) {
    try {
      return Pin.moveFrom(text.toCharArray());
    } catch (KeytrustException e) {
      throw new IllegalArgumentException("not a valid test PIN: " + e.getMessage(), e);
    }
  }
}
