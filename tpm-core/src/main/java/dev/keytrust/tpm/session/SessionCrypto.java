package dev.keytrust.tpm.session;

import dev.keytrust.error.KeytrustBugException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The session computations of TPM 2.0 Part 1, for one HMAC session with no other session in the
 * command (so no nonceTPMdecrypt / nonceTPMencrypt terms):
 *
 * <pre>
 *   sessionKey = KDFa(authHash, bind.authValue || salt, "ATH", nonceTPM, nonceCaller, digest bits)   (19.6.11)
 *   cpHash     = H(commandCode || Name(handle 1) || ... || parameters)                                (18.7)
 *   rpHash     = H(responseCode || commandCode || parameters)                                         (18.8)
 *   command HMAC  = HMAC(sessionKey || authValue, cpHash || nonceCaller || nonceTPM || attributes)   (19.6.5)
 *   response HMAC = HMAC(sessionKey || authValue, rpHash || nonceTPM || nonceCaller || attributes)   (19.6.5)
 *   CFB key || IV = KDFa(authHash, sessionKey || authValue, "CFB", nonceNewer, nonceOlder, 128 + 128) (21.3)
 * </pre>
 *
 * The parameters in cpHash and rpHash are as transmitted: encrypted when a session encrypts them.
 * The authValue in an HMAC key has its trailing zero octets removed, as the TPM does when it
 * computes the same key (swtpm agrees: {@code SessionsOnSwtpmTest.authValuesEndingInZeroBytesWork}).
 * Every array this class derives from a secret is zeroed before it returns, except the results,
 * which the caller zeroes.
 */
final class SessionCrypto {
  /** AES-128: key and block size in bytes. */
  static final int AES_KEY_BYTES = 16;
  static final int AES_BLOCK_BYTES = 16;

  private SessionCrypto() {}

  /** sessionKey of an unbound salted session. */
  static byte[] sessionKey(TpmHash hash, byte[] salt, byte[] nonceTpm, byte[] nonceCaller) {
    return Kdf.kdfa(hash, salt, "ATH", nonceTpm, nonceCaller, 8 * hash.size());
  }

  /** sessionKey || authValue without trailing zeros: the HMAC and CFB key. */
  static byte[] hmacKey(byte[] sessionKey, byte[] authValue) {
    int n = authValue.length;
    while (n > 0 && authValue[n - 1] == 0) {
      n--;
    }
    byte[] key = Arrays.copyOf(sessionKey, sessionKey.length + n);
    System.arraycopy(authValue, 0, key, sessionKey.length, n);
    return key;
  }

  static byte[] cpHash(TpmHash hash, int commandCode, byte[][] names, byte[] parameters) {
    MessageDigest md = hash.digest();
    md.update(u32(commandCode));
    for (byte[] name : names) {
      md.update(name);
    }
    md.update(parameters);
    return md.digest();
  }

  static byte[] rpHash(TpmHash hash, int commandCode, byte[] parameters) {
    MessageDigest md = hash.digest();
    md.update(u32(0)); // TPM_RC_SUCCESS: only successful responses carry an HMAC
    md.update(u32(commandCode));
    md.update(parameters);
    return md.digest();
  }

  /**
   * HMAC(key, pHash || nonceNewer || nonceOlder || attributes), with {@code keyed} the session's
   * HMAC keyed once per command ({@link TpmHash#mac(byte[])}: the same Mac serves the command's
   * HMAC, the response's and the CFB key).
   */
  static byte[] sessionHmac(Mac keyed, byte[] pHash, byte[] nonceNewer, byte[] nonceOlder, int attributes) {
    keyed.update(pHash);
    keyed.update(nonceNewer);
    keyed.update(nonceOlder);
    keyed.update((byte) attributes);
    return keyed.doFinal();
  }

  /**
   * AES-128-CFB over {@code data} in place: the parameter encryption of Part 1, 21.3. For a
   * command nonceNewer is nonceCaller and nonceOlder nonceTPM; for a response the reverse. The key
   * and IV come from KDFa with {@code keyed}, the session's HMAC keyed for the command.
   */
  static void cfb(boolean encrypt, Mac keyed, byte[] nonceNewer, byte[] nonceOlder, byte[] data) {
    if (data.length == 0) {
      return;
    }
    byte[] keyIv = Kdf.kdfa(keyed, "CFB", nonceNewer, nonceOlder, 8 * (AES_KEY_BYTES + AES_BLOCK_BYTES));
    try {
      Cipher aes = Cipher.getInstance("AES/CFB/NoPadding");
      aes.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE,
          new SecretKeySpec(keyIv, 0, AES_KEY_BYTES, "AES"),
          new IvParameterSpec(keyIv, AES_KEY_BYTES, AES_BLOCK_BYTES));
      int n = aes.doFinal(data, 0, data.length, data, 0);
      if (n != data.length) {
        throw new KeytrustBugException("AES-CFB changed the length");
      }
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("AES/CFB/NoPadding missing from the JDK", e);
    } finally {
      Arrays.fill(keyIv, (byte) 0);
    }
  }

  static byte[] u32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }
}
