package dev.keytrust.tpm.session;

import java.util.Arrays;

/**
 * One command to run through an {@link AuthSession}: its name and code, its handle area with the
 * Name of each handle (for cpHash), its plain parameter area, and how many handles the response
 * returns. The session authorizes the first handle. The parameters may hold a secret (an
 * inSensitive, a newAuth) until encrypted: {@link #wipe()} zeroes them.
 *
 * @param name e.g. {@code TPM2_Create}
 * @param code the TPM_CC
 * @param handles the handle area
 * @param names the Name of each handle, in order
 * @param parameters the parameter area, in clear
 * @param responseHandles the number of handles in the response's handle area
 */
record SessionCommand(String name, int code, int[] handles, byte[][] names, byte[] parameters, int responseHandles) {
  SessionCommand {
    if (handles.length == 0 || handles.length != names.length) {
      throw new IllegalArgumentException("a session command needs one Name per handle, and at least one handle");
    }
    handles = handles.clone();
    byte[][] n = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      n[i] = names[i].clone();
    }
    names = n;
    // the parameters are kept, not copied, so that wipe() reaches them
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
