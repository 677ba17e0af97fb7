package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import java.util.Objects;

/** Asks for the user's current PIN (to use a key, or before a change). See {@link PinCreation} for a new PIN. */
public final class PinEntry {

  private PinEntry() {}

  /**
   * Asks {@link PinQuestion#CURRENT} once. No rules apply: the key decides whether the PIN is right.
   *
   * @return the PIN, owned by the caller, who destroys it (try-with-resources)
   * @throws KeytrustException PIN_INVALID when nothing was entered, input ended or the PIN is not a
   *     PIN ({@link Pin#copyOf}); what the source throws
   */
  public static Pin current(PinSource source) throws KeytrustException {
    Objects.requireNonNull(source, "source");
    return toPin(source.read(PinQuestion.CURRENT));
  }

  /** The characters a source returned as a {@link Pin}; the array is zeroed. */
  static Pin toPin(char[] read) throws KeytrustException {
    if (read == null || read.length == 0) {
      throw noPin();
    }
    return Pin.moveFrom(read);
  }

  static AgentException noPin() {
    return new AgentException(CoreErrorCode.PIN_INVALID, "No PIN was entered: type the PIN and press Enter.");
  }
}
