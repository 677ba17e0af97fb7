package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
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
 * typed (no Unicode normalization; {@link Pin} does it once). The result is 32 bytes, the size of
 * the key's nameAlg (SHA-256), which is the largest auth value the TPM accepts for it.
 *
 * <p>No slow KDF is needed here: guessing is bounded by the TPM's dictionary-attack protection,
 * not by the cost of this function (the key has no {@code noDA} attribute). The salt keeps equal
 * PINs from giving equal auth values across keys and machines. To use a key from tpm2-tools, pass
 * {@code -p hex:<authValue>}.
 */
public final class PinAuth {
  static final byte[] LABEL = "keytrust/tpm-key-auth/v1".getBytes(StandardCharsets.US_ASCII);
  public static final int SALT_LENGTH = 16;

  private PinAuth() {}

  /**
   * Derives the 32-byte auth value into a {@link SecretBuffer} (locked memory where the platform
   * allows) that the caller closes. HMAC-SHA256 sees the PIN's bytes only as a heap copy zeroed
   * when it returns (the JDK's internal HMAC state cannot be zeroed).
   */
  public static SecretBuffer derive(Pin pin, byte[] authSalt) throws KeytrustException {
    if (authSalt == null || authSalt.length != SALT_LENGTH) {
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT, "The key's auth salt is missing or not 16 bytes.");
    }
    return pin.withUtf8(InsecureSecretAccess.get(), bytes -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(authSalt, "HmacSHA256"));
        mac.update(LABEL);
        mac.update((byte) 0);
        mac.update(bytes);
        return SecretBuffer.moveFrom(mac.doFinal());
      } catch (GeneralSecurityException e) {
        throw new KeytrustBugException("HMAC-SHA256 missing from the JDK", e);
      }
    });
  }
}
