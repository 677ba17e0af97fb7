package dev.keytrust.tpm.session;

import java.util.Arrays;

/**
 * One command to run through an {@link AuthSession}: its name and code, its handle area with the
 * Name of each handle (for cpHash), its plain parameter area, and how many handles the response
 * returns. The session authorizes the first handle; {@code moreSessions} authorize the next
 * handles, one each, and carry no secret: {@link TpmConstants#TPM_RS_PW}, the password session with
 * the empty auth value (an attestation key's, for TPM2_Certify), or a policy session (0x03xxxxxx)
 * whose policy needs no auth value, sent with an empty HMAC (the EK's PolicySecret session, for
 * TPM2_ActivateCredential). The parameters may hold a secret (an inSensitive, a newAuth) until
 * encrypted: {@link #wipe()} zeroes them.
 *
 * @param name e.g. {@code TPM2_Create}
 * @param code the TPM_CC
 * @param handles the handle area
 * @param names the Name of each handle, in order
 * @param parameters the parameter area, in clear
 * @param responseHandles the number of handles in the response's handle area
 * @param moreSessions the sessions authorizing the handles after the first: TPM_RS_PW (empty
 *     password) or a policy session handle
 */
record SessionCommand(String name, int code, int[] handles, byte[][] names, byte[] parameters, int responseHandles,
    int[] moreSessions) {
  SessionCommand {
    if (handles.length == 0 || handles.length != names.length) {
      throw new IllegalArgumentException("a session command needs one Name per handle, and at least one handle");
    }
    if (1 + moreSessions.length > handles.length) {
      throw new IllegalArgumentException("more authorizations than handles");
    }
    for (int s : moreSessions) {
      if (s != TpmConstants.TPM_RS_PW && TpmConstants.handleType(s) != TpmConstants.TPM_HT_POLICY_SESSION) {
        throw new IllegalArgumentException("a further authorization is the empty password or a policy session");
      }
    }
    handles = handles.clone();
    moreSessions = moreSessions.clone();
    byte[][] n = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      n[i] = names[i].clone();
    }
    names = n;
    // the parameters are kept, not copied, so that wipe() reaches them
  }

  /** A command whose first handle is the only one that needs an authorization. */
  SessionCommand(String name, int code, int[] handles, byte[][] names, byte[] parameters, int responseHandles) {
    this(name, code, handles, names, parameters, responseHandles, new int[0]);
  }

  @Override
  public int[] moreSessions() {
    return moreSessions.clone();
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
