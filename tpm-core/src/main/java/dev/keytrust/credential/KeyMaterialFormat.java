package dev.keytrust.credential;

/** The encodings of the KeyMaterial entry (0x03), recognised by content. */
public enum KeyMaterialFormat {
  /** BCRYPT_RSAKEY_BLOB, magic {@code RSA1}: user keys, software device keys. */
  BCRYPT_RSAKEY_BLOB,
  /** DER PKCS#1 RSAPublicKey (SEQUENCE {n, e}): computer keys. */
  PKCS1_RSA_PUBLIC_KEY,
  /** PCP_KEY_BLOB_WIN8, magic {@code PCPM}, TPM 2.0: TPM-protected device keys. */
  PCP_KEY_BLOB,
  /** UTF-8 JSON with WebAuthn authenticator data (MS-ADTS 2.2.20.5.2): FIDO2 security keys. */
  FIDO_JSON,
  /** BCRYPT_ECCKEY_BLOB, magic {@code ECS1} (ECDSA P-256 public). */
  BCRYPT_ECCKEY_BLOB,
  /** Anything else, or one of the above that is malformed; kept as bytes. */
  UNKNOWN
}
