package dev.keytrust.tpm.session;

/**
 * TPMS_AUTH_COMMAND (Part 2, 10.13.2): one session's entry in a command's authorization area.
 * Nothing in it is secret (the HMAC is keyed with secrets, it does not reveal them).
 *
 * @param sessionHandle TPMI_SH_AUTH_SESSION
 * @param nonce nonceCaller, new for every command
 * @param sessionAttributes TPMA_SESSION (one octet)
 * @param hmac the command HMAC
 */
record TpmsAuthCommand(int sessionHandle, byte[] nonce, int sessionAttributes, byte[] hmac) {
  TpmsAuthCommand {
    nonce = nonce.clone();
    hmac = hmac.clone();
    if ((sessionAttributes & ~0xFF) != 0) {
      throw new IllegalArgumentException("TPMA_SESSION is one octet");
    }
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] hmac() {
    return hmac.clone();
  }

  void marshal(TpmMarshaller m) {
    m.u32(sessionHandle).tpm2b(nonce).u8(sessionAttributes).tpm2b(hmac);
  }

  @Override
  public String toString() {
    return String.format("TPMS_AUTH_COMMAND[session=0x%08X, attributes=0x%02X]", sessionHandle, sessionAttributes);
  }
}
