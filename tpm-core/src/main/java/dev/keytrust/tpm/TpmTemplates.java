package dev.keytrust.tpm;

import tss.tpm.TPM2B_PUBLIC_KEY_RSA;
import tss.tpm.TPMA_OBJECT;
import tss.tpm.TPMS_ECC_PARMS;
import tss.tpm.TPMS_ECC_POINT;
import tss.tpm.TPMS_NULL_ASYM_SCHEME;
import tss.tpm.TPMS_NULL_KDF_SCHEME;
import tss.tpm.TPMS_RSA_PARMS;
import tss.tpm.TPMS_SIG_SCHEME_ECDSA;
import tss.tpm.TPMS_SIG_SCHEME_RSASSA;
import tss.tpm.TPMS_NULL_SIG_SCHEME;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMU_SIG_SCHEME;
import tss.tpm.TPMT_SYM_DEF_OBJECT;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_ECC_CURVE;

/**
 * The TCG storage root key templates and the templates of the objects keytrust creates under
 * them: the user key and the sealed data object. The one source of these templates: the session
 * layer ({@code dev.keytrust.tpm.session}) takes their bytes from here.
 */
public final class TpmTemplates {
  /** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign; no noDA. */
  static final int USER_KEY_ATTRIBUTES = TPMA_OBJECT.fixedTPM.toInt() | TPMA_OBJECT.fixedParent.toInt()
      | TPMA_OBJECT.sensitiveDataOrigin.toInt() | TPMA_OBJECT.userWithAuth.toInt() | TPMA_OBJECT.sign.toInt();

  private TpmTemplates() {}

  /** The marshalled TPMT_PUBLIC of {@link #userKeyTemplate}, for TPM2_Create. */
  public static byte[] userKey(TpmKeyType alg) {
    return userKeyTemplate(alg).toBytes();
  }

  /**
   * A sealed data object: KEYEDHASH with no scheme, fixedTPM | fixedParent | userWithAuth; no
   * sensitiveDataOrigin (the caller supplies the data), no noDA (wrong auth values count against
   * the dictionary-attack protection), no sign or decrypt (TPM2_Unseal is its only use).
   */
  public static byte[] sealedData() {
    TPMA_OBJECT attrs = new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.userWithAuth);
    return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
        new tss.tpm.TPMS_KEYEDHASH_PARMS(new tss.tpm.TPMS_NULL_SCHEME_KEYEDHASH()),
        new tss.tpm.TPM2B_DIGEST_KEYEDHASH()).toBytes();
  }

  /** The TCG storage root key template: restricted decryption key, AES-128-CFB, zero unique. */
  static TPMT_PUBLIC srkTemplate(TpmKeyType alg) {
    TPMA_OBJECT attrs =
        new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.sensitiveDataOrigin,
            TPMA_OBJECT.userWithAuth, TPMA_OBJECT.noDA, TPMA_OBJECT.restricted, TPMA_OBJECT.decrypt);
    TPMT_SYM_DEF_OBJECT aes = new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.AES, 128, TPM_ALG_ID.CFB);
    if (alg == TpmKeyType.RSA_2048) {
      return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
          new TPMS_RSA_PARMS(aes, new TPMS_NULL_ASYM_SCHEME(), 2048, 0),
          new TPM2B_PUBLIC_KEY_RSA(new byte[256]));
    }
    return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
        new TPMS_ECC_PARMS(aes, new TPMS_NULL_ASYM_SCHEME(), TPM_ECC_CURVE.NIST_P256, new TPMS_NULL_KDF_SCHEME()),
        new TPMS_ECC_POINT(new byte[32], new byte[32]));
  }

  private static final byte[] SRK_RSA = srkTemplate(TpmKeyType.RSA_2048).toBytes();
  private static final byte[] SRK_ECC = srkTemplate(TpmKeyType.ECC_P256).toBytes();

  /** The marshalled {@link #srkTemplate}: what an SRK's public area must equal but for its unique field. */
  static byte[] srkTemplateBytes(TpmKeyType alg) {
    return (alg == TpmKeyType.RSA_2048 ? SRK_RSA : SRK_ECC).clone();
  }

  /**
   * The user key template: a DA-protected, non-duplicable signing key whose scheme is TPM_ALG_NULL,
   * as Windows Hello's keys are: the signing scheme (RSASSA or ECDSA with SHA-256) is given to each
   * TPM2_Sign instead. WebAuthn verifiers of a {@code tpm} attestation (webauthn4j) read the
   * parameters of the certified public area as fixed-size fields and refuse a scheme with a hash.
   * Keys made before this change carry RSASSA/ECDSA-SHA256 in their template and keep working
   * ({@link #signScheme}).
   */
  static TPMT_PUBLIC userKeyTemplate(TpmKeyType alg) {
    TPMA_OBJECT attrs =
        new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.sensitiveDataOrigin,
            TPMA_OBJECT.userWithAuth, TPMA_OBJECT.sign);
    TPMT_SYM_DEF_OBJECT none = new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL);
    if (alg == TpmKeyType.RSA_2048) {
      return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
          new TPMS_RSA_PARMS(none, new TPMS_NULL_ASYM_SCHEME(), 2048, 0),
          new TPM2B_PUBLIC_KEY_RSA());
    }
    return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
        new TPMS_ECC_PARMS(none, new TPMS_NULL_ASYM_SCHEME(), TPM_ECC_CURVE.NIST_P256, new TPMS_NULL_KDF_SCHEME()),
        new TPMS_ECC_POINT());
  }

  /**
   * The scheme to give TPM2_Sign for a key: TPM_ALG_NULL when the key's template fixes one (keys
   * made before the NULL-scheme template; the TPM then uses the template's), else RSASSA or ECDSA
   * with SHA-256 (a template scheme of NULL requires an explicit one, TPM 2.0 Part 3 §20.2).
   */
  static TPMU_SIG_SCHEME signScheme(TPMT_PUBLIC key) {
    boolean templateHasScheme =
        (key.parameters instanceof TPMS_RSA_PARMS rp && !(rp.scheme instanceof TPMS_NULL_ASYM_SCHEME))
            || (key.parameters instanceof TPMS_ECC_PARMS ep && !(ep.scheme instanceof TPMS_NULL_ASYM_SCHEME));
    if (templateHasScheme) {
      return new TPMS_NULL_SIG_SCHEME();
    }
    if (key.parameters instanceof TPMS_RSA_PARMS) {
      return new TPMS_SIG_SCHEME_RSASSA(TPM_ALG_ID.SHA256);
    }
    return new TPMS_SIG_SCHEME_ECDSA(TPM_ALG_ID.SHA256);
  }

  /**
   * TCG EK Credential Profile (2.0, §B.3.3) PolicyA: the SHA-256 policy digest of
   * TPM2_PolicySecret(TPM_RH_ENDORSEMENT), the authPolicy of templates L-1 and L-2.
   */
  static final byte[] EK_POLICY_A = java.util.HexFormat.of().parseHex(
      "837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA");

  /**
   * The TCG default EK templates: L-1 (RSA 2048) and L-2 (ECC NIST P-256). fixedTPM | fixedParent |
   * sensitiveDataOrigin | adminWithPolicy | restricted | decrypt, policy {@link #EK_POLICY_A},
   * AES-128-CFB, scheme NULL, a zero-filled unique field (256 bytes, or 32 + 32).
   */
  static TPMT_PUBLIC ekTemplate(TpmKeyType alg) {
    TPMA_OBJECT attrs =
        new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.sensitiveDataOrigin,
            TPMA_OBJECT.adminWithPolicy, TPMA_OBJECT.restricted, TPMA_OBJECT.decrypt);
    TPMT_SYM_DEF_OBJECT aes = new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.AES, 128, TPM_ALG_ID.CFB);
    if (alg == TpmKeyType.RSA_2048) {
      return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, EK_POLICY_A.clone(),
          new TPMS_RSA_PARMS(aes, new TPMS_NULL_ASYM_SCHEME(), 2048, 0),
          new TPM2B_PUBLIC_KEY_RSA(new byte[256]));
    }
    return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, EK_POLICY_A.clone(),
        new TPMS_ECC_PARMS(aes, new TPMS_NULL_ASYM_SCHEME(), TPM_ECC_CURVE.NIST_P256, new TPMS_NULL_KDF_SCHEME()),
        new TPMS_ECC_POINT(new byte[32], new byte[32]));
  }

  /**
   * keytrust's attestation key template (TCG EK Credential Profile's AK template): a restricted
   * signing key, fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | noDA | restricted |
   * sign, RSASSA-SHA256 (RSA 2048) or ECDSA-SHA256 (P-256). A restricted signing key signs only
   * digests the TPM made itself or checked for TPM_GENERATED_VALUE, so it cannot be made to sign
   * a forged TPMS_ATTEST.
   */
  static TPMT_PUBLIC akTemplate(TpmKeyType alg) {
    TPMA_OBJECT attrs =
        new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.sensitiveDataOrigin,
            TPMA_OBJECT.userWithAuth, TPMA_OBJECT.noDA, TPMA_OBJECT.restricted, TPMA_OBJECT.sign);
    TPMT_SYM_DEF_OBJECT none = new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL);
    if (alg == TpmKeyType.RSA_2048) {
      return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
          new TPMS_RSA_PARMS(none, new TPMS_SIG_SCHEME_RSASSA(TPM_ALG_ID.SHA256), 2048, 0),
          new TPM2B_PUBLIC_KEY_RSA());
    }
    return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
        new TPMS_ECC_PARMS(none, new TPMS_SIG_SCHEME_ECDSA(TPM_ALG_ID.SHA256), TPM_ECC_CURVE.NIST_P256,
            new TPMS_NULL_KDF_SCHEME()),
        new TPMS_ECC_POINT());
  }
}
