package dev.keytrust.tpm.session;

/**
 * Marshals a whole TPM 2.0 command (Part 1, 18.2 and Part 3, 5.x): tag, commandSize,
 * commandCode, the handle area, then with sessions authorizationSize and the TPMS_AUTH_COMMANDs,
 * then the parameter area. This package sends at most one HMAC session per command, followed by
 * authorizations without a secret for further handles (the empty password, or a policy session
 * with an empty HMAC).
 */
final class CommandBuffer {
  static final int HEADER_SIZE = 10;

  private CommandBuffer() {}

  /**
   * @param auth the one session, or null for a command without sessions (TPM_ST_NO_SESSIONS)
   * @param parameters the marshalled parameter area (already encrypted where a session says so)
   */
  static byte[] marshal(int commandCode, int[] handles, TpmsAuthCommand auth, byte[] parameters) {
    return marshal(commandCode, handles, auth, new TpmsAuthCommand[0], parameters);
  }

  /**
   * @param more the authorizations after {@code auth}, for the next handles
   */
  static byte[] marshal(int commandCode, int[] handles, TpmsAuthCommand auth, TpmsAuthCommand[] more,
      byte[] parameters) {
    TpmMarshaller m = new TpmMarshaller(HEADER_SIZE + 4 * handles.length + 80 + parameters.length);
    m.u16(auth == null ? TpmConstants.TPM_ST_NO_SESSIONS : TpmConstants.TPM_ST_SESSIONS);
    m.u32(0); // commandSize, patched below
    m.u32(commandCode);
    for (int h : handles) {
      m.u32(h);
    }
    if (auth != null) {
      TpmMarshaller a = new TpmMarshaller();
      auth.marshal(a);
      for (TpmsAuthCommand next : more) {
        next.marshal(a);
      }
      m.u32(a.size()).bytes(a.toByteArray());
    }
    m.bytes(parameters);
    byte[] out = m.toByteArray();
    int size = out.length;
    out[2] = (byte) (size >>> 24);
    out[3] = (byte) (size >>> 16);
    out[4] = (byte) (size >>> 8);
    out[5] = (byte) size;
    m.wipe();
    return out;
  }
}
