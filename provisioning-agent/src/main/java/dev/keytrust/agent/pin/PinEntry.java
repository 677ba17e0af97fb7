package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.error.CoreErrorCode;
import java.util.Arrays;
import java.util.Objects;

/** Asks for the user's current PIN (to use a key, or before a change). See {@link PinCreation} for a new PIN. */
public final class PinEntry {

  private PinEntry() {}

  /**
   * Asks {@link PinQuestion#CURRENT} once. No rules apply: the key decides whether the PIN is right.
   *
   * @return the PIN, owned by the caller, who clears it in a {@code finally}
   * @throws AgentException PIN_INVALID when nothing was entered or input ended; what the source
   *     throws
   */
  public static char[] current(PinSource source) throws AgentException {
    Objects.requireNonNull(source, "source");
    char[] pin = source.read(PinQuestion.CURRENT);
    if (pin == null || pin.length == 0) {
      if (pin != null) {
        Arrays.fill(pin, '\0');
      }
      throw noPin();
    }
    return pin;
  }

  /** Compares two PINs in time that depends on their lengths only. */
  public static boolean sameChars(char[] a, char[] b) {
    if (a.length != b.length) {
      return false;
    }
    int diff = 0;
    for (int i = 0; i < a.length; i++) {
      diff |= a[i] ^ b[i];
    }
    return diff == 0;
  }

  static AgentException noPin() {
    return new AgentException(CoreErrorCode.PIN_INVALID, "No PIN was entered: type the PIN and press Enter.");
  }
}
