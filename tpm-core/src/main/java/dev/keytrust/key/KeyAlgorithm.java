package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmKeyType;
import java.util.Locale;

/** The user key algorithms keytrust creates. RSA-2048 is what Windows Hello for Business uses. */
public enum KeyAlgorithm {
  /** RSA 2048, exponent 65537, RSASSA-PKCS1-v1_5 with SHA-256. */
  RSA_2048("rsa2048", "SHA256withRSA", TpmKeyType.RSA_2048),
  /** ECC NIST P-256, ECDSA with SHA-256. */
  ECC_P256("p256", "SHA256withECDSA", TpmKeyType.ECC_P256);

  private final String id;
  private final String jcaSignature;
  private final TpmKeyType tpmKeyType;

  KeyAlgorithm(String id, String jcaSignature, TpmKeyType tpmKeyType) {
    this.id = id;
    this.jcaSignature = jcaSignature;
    this.tpmKeyType = tpmKeyType;
  }

  /** The TPM's key type of this algorithm (its template and storage root key). */
  public TpmKeyType tpmKeyType() {
    return tpmKeyType;
  }

  /** The short name used on the command line and in key files: {@code rsa2048} or {@code p256}. */
  public String id() {
    return id;
  }

  /** The JCA signature algorithm that verifies this key's signatures over the message. */
  public String jcaSignatureAlgorithm() {
    return jcaSignature;
  }

  public static KeyAlgorithm fromId(String id) throws KeytrustException {
    if (id != null) {
      for (KeyAlgorithm a : values()) {
        if (a.id.equals(id.toLowerCase(Locale.ROOT))) {
          return a;
        }
      }
    }
    throw new KeytrustException(
        CoreErrorCode.INVALID_ARGUMENT, "Unknown key algorithm '" + id + "': use rsa2048 or p256.");
  }
}
