package dev.keytrust.lab;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmSession;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The lab's administration of a TPM's dictionary-attack protection (TPM 2.0 Part 3, 25.2
 * TPM2_DictionaryAttackLockReset and 25.3 TPM2_DictionaryAttackParameters), authorized with the
 * lockout hierarchy's empty auth value, as a fresh swtpm has it. keytrust itself never changes
 * these settings; tests and benchmarks set them on their own simulators.
 */
public final class DictionaryAttackAdmin {
  private static final int TPM_ST_SESSIONS = 0x8002;
  private static final int TPM_CC_DICTIONARY_ATTACK_LOCK_RESET = 0x00000139;
  private static final int TPM_CC_DICTIONARY_ATTACK_PARAMETERS = 0x0000013A;
  private static final int TPM_RH_LOCKOUT = 0x4000000A;
  private static final int TPM_RS_PW = 0x40000009;

  private DictionaryAttackAdmin() {}

  /**
   * TPM2_DictionaryAttackParameters: {@code maxTries} failures before lockout, one failure
   * forgotten per {@code recoveryTime}, and {@code lockoutRecovery} before the lockout
   * authorization may be tried again after it failed.
   */
  public static void setParameters(TpmSession session, int maxTries, Duration recoveryTime, Duration lockoutRecovery)
      throws KeytrustException {
    byte[] params = new byte[12];
    putInt(params, 0, maxTries);
    putInt(params, 4, (int) recoveryTime.toSeconds());
    putInt(params, 8, (int) lockoutRecovery.toSeconds());
    session.execute("TPM2_DictionaryAttackParameters", command(TPM_CC_DICTIONARY_ATTACK_PARAMETERS, params));
  }

  /** TPM2_DictionaryAttackLockReset: the failure counter back to 0 and any lockout ended. */
  public static void resetLockout(TpmSession session) throws KeytrustException {
    session.execute("TPM2_DictionaryAttackLockReset", command(TPM_CC_DICTIONARY_ATTACK_LOCK_RESET, new byte[0]));
  }

  /** A command on TPM_RH_LOCKOUT with a password session of the empty auth value. */
  private static byte[] command(int commandCode, byte[] params) {
    try {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(body);
      out.writeInt(TPM_RH_LOCKOUT);
      out.writeInt(9); // authorizationSize: handle 4, nonce size 2, attributes 1, hmac size 2
      out.writeInt(TPM_RS_PW);
      out.writeShort(0); // nonceCaller: empty
      out.writeByte(0); // sessionAttributes
      out.writeShort(0); // hmac: the empty password
      out.write(params);
      ByteArrayOutputStream cmd = new ByteArrayOutputStream();
      DataOutputStream header = new DataOutputStream(cmd);
      header.writeShort(TPM_ST_SESSIONS);
      header.writeInt(10 + body.size());
      header.writeInt(commandCode);
      body.writeTo(cmd);
      return cmd.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }
}
