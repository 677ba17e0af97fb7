package dev.keytrust.tpm.session;

import java.util.Arrays;

/**
 * One command to run through an {@link AuthSession}: its name and code, its handle area with the
 * Name of each handle (for cpHash), its plain parameter area, and how many handles the response
 * returns. The session authorizes the first handle; {@code emptyPasswordAuths} more handles (after
 * it) are authorized by the password session with the empty auth value, which carries no secret
 * (an attestation key's, for TPM2_Certify). The parameters may hold a secret (an inSensitive, a
 * newAuth) until encrypted: {@link #wipe()} zeroes them.
 *
 * @param name e.g. {@code TPM2_Create}
 * @param code the TPM_CC
 * @param handles the handle area
 * @param names the Name of each handle, in order
 * @param parameters the parameter area, in clear
 * @param responseHandles the number of handles in the response's handle area
 * @param emptyPasswordAuths handles after the first authorized with the empty password
 */
record SessionCommand(String name, int code, int[] handles, byte[][] names, byte[] parameters, int responseHandles,
    int emptyPasswordAuths) {
  SessionCommand {
    if (handles.length == 0 || handles.length != names.length) {
      throw new IllegalArgumentException("a session command needs one Name per handle, and at least one handle");
    }
    if (emptyPasswordAuths < 0 || 1 + emptyPasswordAuths > handles.length) {
      throw new IllegalArgumentException("more authorizations than handles");
    }
    handles = handles.clone();
    byte[][] n = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      n[i] = names[i].clone();
    }
    names = n;
    // the parameters are kept, not copied, so that wipe() reaches them
  }

  /** A command whose first handle is the only one that needs an authorization. */
  SessionCommand(String name, int code, int[] handles, byte[][] names, byte[] parameters, int responseHandles) {
    this(name, code, handles, names, parameters, responseHandles, 0);
  }

  @Override
  public int[] handles() {
    return handles.clone();
  }

  @Override
  public byte[][] names() {
    byte[][] n = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      n[i] = names[i].clone();
    }
    return n;
  }

  /** A copy of the clear parameters; the caller zeroes it. */
  @Override
  public byte[] parameters() {
    return parameters.clone();
  }

  /** Zeroes the clear parameters. */
  void wipe() {
    Arrays.fill(parameters, (byte) 0);
  }

  @Override
  public String toString() {
    return name + "[handles=" + handles.length + ", parameters=" + parameters.length + " B]";
  }
}
