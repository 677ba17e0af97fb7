package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.SecretBuffer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a PIN into the TPM authorization value of a user key.
 *
 * <pre>
 *   authValue = HMAC-SHA256(key = authSalt, data = "keytrust/tpm-key-auth/v1" || 0x00 || UTF-8(PIN))
 * </pre>
 *
 * <p>{@code authSalt} is 16 random bytes chosen when the key is created and kept next to the key
 * blobs ({@link TpmKeyBlobs#authSalt()}). The PIN's characters are encoded as UTF-8 exactly as
 * typed (no Unicode normalization). The result is 32 bytes, the size of the key's nameAlg
 * (SHA-256), which is the largest auth value the TPM accepts for it.
 *
 * <p>No slow KDF is needed here: guessing is bounded by the TPM's dictionary-attack protection,
 * not by the cost of this function (the key has no {@code noDA} attribute). The salt keeps equal
 * PINs from giving equal auth values across keys and machines. To use a key from tpm2-tools, pass
 * {@code -p hex:<authValue>}.
 */
public final class PinAuth {
  static final byte[] LABEL = "keytrust/tpm-key-auth/v1".getBytes(StandardCharsets.US_ASCII);
  /** Longest PIN accepted, in characters (the Windows maximum is 127). */
  public static final int MAX_PIN_LENGTH = 127;
  public static final int SALT_LENGTH = 16;

  private PinAuth() {}

  /**
   * Derives the 32-byte auth value into a heap array the caller clears; prefer {@link
   * #deriveSecret}. The PIN array is not modified; the caller clears it.
   */
  public static byte[] derive(char[] pin, byte[] authSalt) throws KeytrustException {
    try (SecretBuffer auth = deriveSecret(pin, authSalt)) {
      return auth.copy(InsecureSecretAccess.get());
    }
  }

  /**
   * Derives the 32-byte auth value into a {@link SecretBuffer} (locked memory where the platform
   * allows) that the caller closes. The PIN's UTF-8 bytes are kept in one too; HMAC-SHA256 sees
   * them only as a heap copy zeroed when it returns (the JDK's internal HMAC state cannot be
   * zeroed). The PIN array is not modified; the caller clears it.
   */
  public static SecretBuffer deriveSecret(char[] pin, byte[] authSalt) throws KeytrustException {
    if (authSalt == null || authSalt.length != SALT_LENGTH) {
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT, "The key's auth salt is missing or not 16 bytes.");
    }
    try (SecretBuffer utf8 = utf8Secret(pin)) {
      return utf8.withCopy(InsecureSecretAccess.get(), bytes -> {
        try {
          Mac mac = Mac.getInstance("HmacSHA256");
          mac.init(new SecretKeySpec(authSalt, "HmacSHA256"));
          mac.update(LABEL);
          mac.update((byte) 0);
          mac.update(bytes);
          return SecretBuffer.moveFrom(mac.doFinal());
        } catch (GeneralSecurityException e) {
          throw new dev.keytrust.error.KeytrustBugException("HMAC-SHA256 missing from the JDK", e);
        }
      });
    }
  }

  /**
   * {@link #utf8} into a {@link SecretBuffer} the caller closes: the same checks, the heap
   * encoding zeroed at once.
   */
  public static SecretBuffer utf8Secret(char[] pin) throws KeytrustException {
    return SecretBuffer.moveFrom(utf8(pin));
  }

  /**
   * Checks the minimal shape every provider needs (1..127 characters, valid UTF-16) and returns
   * the PIN as UTF-8 bytes in a fresh array the caller must clear. PIN complexity policy is the
   * agent's job, not this one's.
   */
  public static byte[] utf8(char[] pin) throws KeytrustException {
    if (pin == null || pin.length == 0) {
      throw new KeytrustException(CoreErrorCode.PIN_INVALID, "The PIN is empty: enter a PIN.");
    }
    if (pin.length > MAX_PIN_LENGTH) {
      throw new KeytrustException(
          CoreErrorCode.PIN_INVALID, "The PIN is longer than " + MAX_PIN_LENGTH + " characters: use a shorter PIN.");
    }
    CharsetEncoder enc =
        StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer bb = null;
    try {
      bb = enc.encode(CharBuffer.wrap(pin));
      byte[] out = new byte[bb.remaining()];
      bb.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new KeytrustException(
          CoreErrorCode.PIN_INVALID, "The PIN contains an invalid character sequence: retype it.");
    } finally {
      if (bb != null && bb.hasArray()) {
        Arrays.fill(bb.array(), (byte) 0);
      }
    }
  }
}
