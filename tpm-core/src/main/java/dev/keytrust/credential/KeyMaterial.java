package dev.keytrust.credential;

/**
 * The decoded KeyMaterial entry (0x03) of a key credential. Pattern-match on the four kinds:
 * {@link RsaKeyMaterial} (BCRYPT RSA1 blob, PKCS#1 DER, TPM 2.0 PCP blob), {@link EcKeyMaterial}
 * (BCRYPT ECS1 P-256 blob), {@link FidoKeyMaterial} (FIDO2 JSON) and {@link UnknownKeyMaterial}
 * (anything else, including malformed instances of the known formats).
 */
public sealed interface KeyMaterial
    permits RsaKeyMaterial, EcKeyMaterial, FidoKeyMaterial, UnknownKeyMaterial {

  /** How the entry is encoded. */
  KeyMaterialFormat format();

  /** A copy of the entry's value, exactly as stored. */
  byte[] encoded();

  /** The length of the entry's value in bytes. */
  int length();
}
