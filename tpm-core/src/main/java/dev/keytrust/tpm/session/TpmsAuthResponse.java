package dev.keytrust.tpm.session;

import dev.keytrust.error.KeytrustException;

/**
 * TPMS_AUTH_RESPONSE (Part 2, 10.13.3): one session's entry in a response's authorization area.
 *
 * @param nonce the new nonceTPM
 * @param sessionAttributes TPMA_SESSION
 * @param hmac the response HMAC the caller verifies
 */
record TpmsAuthResponse(byte[] nonce, int sessionAttributes, byte[] hmac) {
  /** The largest nonce or HMAC accepted: a SHA-512 digest. */
  static final int MAX_DIGEST = 64;

  TpmsAuthResponse {
    nonce = nonce.clone();
    hmac = hmac.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] hmac() {
    return hmac.clone();
  }

  static TpmsAuthResponse unmarshal(TpmUnmarshaller in) throws KeytrustException {
    byte[] nonce = in.tpm2b(MAX_DIGEST, "nonceTPM");
    int attributes = in.u8();
    byte[] hmac = in.tpm2b(MAX_DIGEST, "the response HMAC");
    return new TpmsAuthResponse(nonce, attributes, hmac);
  }

  void marshal(TpmMarshaller m) {
    m.tpm2b(nonce).u8(sessionAttributes).tpm2b(hmac);
  }

  @Override
  public String toString() {
    return String.format("TPMS_AUTH_RESPONSE[attributes=0x%02X, nonce=%d B, hmac=%d B]", sessionAttributes,
        nonce.length, hmac.length);
  }
}
