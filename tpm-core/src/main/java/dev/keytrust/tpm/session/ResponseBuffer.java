package dev.keytrust.tpm.session;

import dev.keytrust.error.KeytrustException;

/**
 * A parsed TPM 2.0 success response (Part 1, 18.3): the handle area, the parameter area and, for a
 * command sent with a session, the one TPMS_AUTH_RESPONSE. Parsing is strict: the tag must match
 * what was sent, the size field must equal the length, parameterSize must fit, and nothing may
 * follow the authorization area.
 *
 * @param handles the response handles (e.g. TPM2_Load's objectHandle); not covered by rpHash
 * @param parameters the parameter area as received (encrypted when the session said so)
 * @param auth the session's response entry, or null for a command without sessions
 */
record ResponseBuffer(int[] handles, byte[] parameters, TpmsAuthResponse auth) {
  ResponseBuffer {
    handles = handles.clone();
    parameters = parameters.clone();
  }

  @Override
  public int[] handles() {
    return handles.clone();
  }

  @Override
  public byte[] parameters() {
    return parameters.clone();
  }

  /**
   * @param what names the response in errors, e.g. "the TPM2_Sign response"
   * @param handleCount how many handles the command returns
   * @param withSession true when the command was sent with one session
   */
  static ResponseBuffer parse(byte[] response, String what, int handleCount, boolean withSession)
      throws KeytrustException {
    return parse(response, what, handleCount, withSession, new int[0]);
  }

  /**
   * @param moreSessions the sessions sent after the first: the answer to TPM_RS_PW must be the
   *     password session's (empty nonce, empty HMAC); to a policy session sent with an empty HMAC,
   *     a new nonceTPM of 16 to 64 bytes and an empty HMAC (a policy session without a key or an
   *     auth value answers an empty HMAC with an empty one). These entries are not covered by the
   *     first session's HMAC, and nothing in them is used.
   */
  static ResponseBuffer parse(byte[] response, String what, int handleCount, boolean withSession,
      int[] moreSessions) throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(response, what);
    int tag = in.u16();
    int size = in.u32();
    int rc = in.u32();
    if (size != response.length) {
      throw in.malformed("its size field says " + Integer.toUnsignedString(size) + " bytes, it has " + response.length);
    }
    if (rc != 0) {
      throw in.malformed(String.format("it is an error response (0x%X), not a result", rc));
    }
    int expectedTag = withSession ? TpmConstants.TPM_ST_SESSIONS : TpmConstants.TPM_ST_NO_SESSIONS;
    if (tag != expectedTag) {
      throw in.malformed(String.format("its tag is 0x%04X, not 0x%04X", tag, expectedTag));
    }
    int[] handles = new int[handleCount];
    for (int i = 0; i < handleCount; i++) {
      handles[i] = in.u32();
    }
    if (!withSession) {
      byte[] parameters = in.bytes(in.remaining());
      in.finish();
      return new ResponseBuffer(handles, parameters, null);
    }
    int parameterSize = in.u32();
    byte[] parameters = in.bytes(parameterSizeChecked(in, parameterSize));
    TpmsAuthResponse auth = TpmsAuthResponse.unmarshal(in);
    for (int session : moreSessions) {
      TpmsAuthResponse next = TpmsAuthResponse.unmarshal(in);
      if (session == TpmConstants.TPM_RS_PW) {
        if (next.nonce().length != 0 || next.hmac().length != 0) {
          throw in.malformed("the answer to a password authorization has a nonce or an HMAC");
        }
      } else if (next.nonce().length < 16 || next.hmac().length != 0) {
        throw in.malformed("the answer to a policy session has a short nonceTPM or an HMAC");
      }
    }
    in.finish();
    return new ResponseBuffer(handles, parameters, auth);
  }

  private static int parameterSizeChecked(TpmUnmarshaller in, int parameterSize) throws KeytrustException {
    if (parameterSize < 0 || parameterSize > in.remaining()) {
      throw in.malformed("parameterSize " + Integer.toUnsignedString(parameterSize) + " exceeds the "
          + in.remaining() + " bytes left");
    }
    return parameterSize;
  }

  @Override
  public String toString() {
    return "ResponseBuffer[handles=" + handles.length + ", parameters=" + parameters.length + " B, auth=" + auth + "]";
  }
}
