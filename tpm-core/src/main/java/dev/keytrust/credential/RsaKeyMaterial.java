package dev.keytrust.credential;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An RSA public key from a BCRYPT_RSAKEY_BLOB, a PKCS#1 RSAPublicKey or a TPM 2.0 PCP key blob.
 *
 * @param format {@link KeyMaterialFormat#BCRYPT_RSAKEY_BLOB}, {@link
 *     KeyMaterialFormat#PKCS1_RSA_PUBLIC_KEY} or {@link KeyMaterialFormat#PCP_KEY_BLOB}
 * @param encoded the entry's value as stored (copied)
 * @param modulus the modulus n, positive
 * @param exponent the public exponent e, positive
 */
public record RsaKeyMaterial(
    KeyMaterialFormat format, byte[] encoded, BigInteger modulus, BigInteger exponent)
    implements KeyMaterial {
  private static final Set<KeyMaterialFormat> RSA_FORMATS = EnumSet.of(
      KeyMaterialFormat.BCRYPT_RSAKEY_BLOB,
      KeyMaterialFormat.PKCS1_RSA_PUBLIC_KEY,
      KeyMaterialFormat.PCP_KEY_BLOB);

  /**
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the format is not an RSA format or n, e are not positive
   */
  public RsaKeyMaterial {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(encoded, "encoded");
    Objects.requireNonNull(modulus, "modulus");
    Objects.requireNonNull(exponent, "exponent");
    if (!RSA_FORMATS.contains(format)) {
      throw new IllegalArgumentException(format + " is not an RSA key material format");
    }
    if (modulus.signum() <= 0 || exponent.signum() <= 0) {
      throw new IllegalArgumentException("RSA modulus and exponent must be positive");
    }
    encoded = encoded.clone();
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public int length() {
    return encoded.length;
  }

  /** Always {@code "RSA"}. */
  public String algorithm() {
    return "RSA";
  }

  /** The bit length of the modulus. */
  public int keyBits() {
    return modulus.bitLength();
  }

  /** The modulus as unsigned big-endian bytes, {@code ceil(keyBits / 8)} long. */
  public byte[] modulusBytes() {
    return Bytes.unsigned(modulus, 0);
  }

  /**
   * True when the modulus carries the ROCA fingerprint (CVE-2017-15361, Infineon RSALib, as in
   * some TPMs and smart cards of 2012-2017): such keys can be factored and must be replaced.
   */
  public boolean weakKey() {
    return RocaFingerprint.has(modulus);
  }

  /**
   * The key as a JCA public key.
   *
   * @throws KeytrustException {@link CoreErrorCode#KEY_CREDENTIAL_UNSUPPORTED_KEY} when the JDK refuses
   *     the key (for example a modulus outside its supported sizes)
   */
  public RSAPublicKey toPublicKey() throws KeytrustException {
    try {
      return (RSAPublicKey) KeyFactory.getInstance("RSA")
          .generatePublic(new RSAPublicKeySpec(modulus, exponent));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeytrustException(
          CoreErrorCode.KEY_CREDENTIAL_UNSUPPORTED_KEY,
          "The JDK does not accept the " + keyBits() + "-bit RSA key of this key credential ("
              + e.getMessage() + "); the key cannot be used here.",
          e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RsaKeyMaterial r
        && format == r.format
        && Arrays.equals(encoded, r.encoded)
        && modulus.equals(r.modulus)
        && exponent.equals(r.exponent);
  }

  @Override
  public int hashCode() {
    return Objects.hash(format, Arrays.hashCode(encoded), modulus, exponent);
  }

  @Override
  public String toString() {
    return "RsaKeyMaterial[" + format + ", " + encoded.length + " bytes, " + keyBits()
        + " bits, e=" + exponent + "]";
  }
}
