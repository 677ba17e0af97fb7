package dev.keytrust.tpm;

/**
 * The key types keytrust makes in a TPM: each with its TCG storage root key at a reserved
 * persistent handle (TCG TPM v2.0 Provisioning Guidance) and its user key template.
 */
public enum TpmKeyType {
  /** RSA 2048, exponent 65537; RSASSA-PKCS1-v1_5 with SHA-256 signatures. SRK at 0x81000001. */
  RSA_2048("rsa2048", 0x81000001),
  /** ECC NIST P-256; ECDSA with SHA-256 signatures. SRK at 0x81000002. */
  ECC_P256("p256", 0x81000002);

  private final String id;
  private final int srkHandle;

  TpmKeyType(String id, int srkHandle) {
    this.id = id;
    this.srkHandle = srkHandle;
  }

  /** The short name: {@code rsa2048} or {@code p256}. */
  public String id() {
    return id;
  }

  /** The TCG-reserved persistent handle of this type's storage root key. */
  public int srkHandle() {
    return srkHandle;
  }
}
