package dev.keytrust.agent.prereq;

import java.util.Objects;
import java.util.Optional;

/**
 * What the embedding agent knows of the device's TPM, for the hardware requirement.
 *
 * @param presence whether a TPM is there, or unknown (not probed)
 * @param version the family when present, empty otherwise
 * @param usable true when a present TPM is set up and answers commands
 * @param lockedOut true when a present TPM is in dictionary-attack lockout
 */
public record TpmState(Presence presence, Optional<TpmVersion> version, boolean usable,
    boolean lockedOut) {

  /** Whether a TPM is there. */
  public enum Presence {
    /** Not probed: the state is not known. */
    UNKNOWN,
    /** The device has no TPM (or none the agent can reach). */
    ABSENT,
    /** The device has a TPM. */
    PRESENT,
    /**
     * The software key provider was selected for this run, so no TPM is used whatever the device
     * has: the hardware requirement treats it as no usable TPM.
     */
    SOFTWARE_SELECTED
  }

  public TpmState {
    Objects.requireNonNull(presence, "presence");
    Objects.requireNonNull(version, "version");
    if (presence == Presence.PRESENT && version.isEmpty()) {
      throw new IllegalArgumentException("a present TPM needs its version");
    }
    if (presence != Presence.PRESENT && (version.isPresent() || usable || lockedOut)) {
      throw new IllegalArgumentException("only a present TPM has a version, is usable or locked out");
    }
  }

  /** The TPM was not probed. */
  public static TpmState unknown() {
    return new TpmState(Presence.UNKNOWN, Optional.empty(), false, false);
  }

  /** The device has no TPM. */
  public static TpmState absent() {
    return new TpmState(Presence.ABSENT, Optional.empty(), false, false);
  }

  /** The software key provider was selected instead of a TPM. */
  public static TpmState softwareSelected() {
    return new TpmState(Presence.SOFTWARE_SELECTED, Optional.empty(), false, false);
  }

  /** A TPM of {@code version}; {@code usable} and {@code lockedOut} as probed. */
  public static TpmState present(TpmVersion version, boolean usable, boolean lockedOut) {
    return new TpmState(Presence.PRESENT, Optional.of(version), usable, lockedOut);
  }

  /** For reports: {@code TPM 2.0, usable}, {@code no TPM}, {@code TPM state unknown}, ... */
  public String describe() {
    return switch (presence) {
      case UNKNOWN -> "TPM state unknown";
      case ABSENT -> "no TPM";
      case SOFTWARE_SELECTED -> "software key provider selected (no TPM used)";
      case PRESENT -> "TPM " + version.orElseThrow().label()
          + (lockedOut ? ", in dictionary-attack lockout" : usable ? ", usable" : ", not usable");
    };
  }
}
