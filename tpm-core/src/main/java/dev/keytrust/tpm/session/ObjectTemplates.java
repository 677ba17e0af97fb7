package dev.keytrust.tpm.session;

import dev.keytrust.key.KeyAlgorithm;
import tss.tpm.TPM2B_DIGEST_KEYEDHASH;
import tss.tpm.TPM2B_PUBLIC_KEY_RSA;
import tss.tpm.TPMA_OBJECT;
import tss.tpm.TPMS_ECC_PARMS;
import tss.tpm.TPMS_ECC_POINT;
import tss.tpm.TPMS_KEYEDHASH_PARMS;
import tss.tpm.TPMS_NULL_KDF_SCHEME;
import tss.tpm.TPMS_NULL_SCHEME_KEYEDHASH;
import tss.tpm.TPMS_RSA_PARMS;
import tss.tpm.TPMS_SIG_SCHEME_ECDSA;
import tss.tpm.TPMS_SIG_SCHEME_RSASSA;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SYM_DEF_OBJECT;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_ECC_CURVE;

/**
 * The public templates (TPMT_PUBLIC bytes, marshalled by TSS.Java) of the objects this package
 * creates. The signing key template is the same as {@code TpmTemplates.userKeyTemplate} (a test
 * compares their bytes).
 */
public final class ObjectTemplates {
  private ObjectTemplates() {}

  /**
   * The user key: fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign, no noDA
   * (wrong PINs count against the TPM's dictionary-attack protection); RSASSA-SHA256 RSA-2048 or
   * ECDSA-SHA256 P-256.
   */
  public static byte[] signingKey(KeyAlgorithm alg) {
    TPMA_OBJECT attrs = new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent,
        TPMA_OBJECT.sensitiveDataOrigin, TPMA_OBJECT.userWithAuth, TPMA_OBJECT.sign);
    TPMT_SYM_DEF_OBJECT none = new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL);
    if (alg == KeyAlgorithm.RSA_2048) {
      return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
          new TPMS_RSA_PARMS(none, new TPMS_SIG_SCHEME_RSASSA(TPM_ALG_ID.SHA256), 2048, 0),
          new TPM2B_PUBLIC_KEY_RSA()).toBytes();
    }
    return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
        new TPMS_ECC_PARMS(none, new TPMS_SIG_SCHEME_ECDSA(TPM_ALG_ID.SHA256), TPM_ECC_CURVE.NIST_P256,
            new TPMS_NULL_KDF_SCHEME()),
        new TPMS_ECC_POINT()).toBytes();
  }

  /**
   * A sealed data object: KEYEDHASH with no scheme, fixedTPM | fixedParent | userWithAuth; no
   * sensitiveDataOrigin (the caller supplies the data), no noDA (wrong auth values count against
   * the dictionary-attack protection), no sign or decrypt (TPM2_Unseal is its only use).
   */
  public static byte[] sealedData() {
    TPMA_OBJECT attrs = new TPMA_OBJECT(TPMA_OBJECT.fixedTPM, TPMA_OBJECT.fixedParent, TPMA_OBJECT.userWithAuth);
    return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
        new TPMS_KEYEDHASH_PARMS(new TPMS_NULL_SCHEME_KEYEDHASH()), new TPM2B_DIGEST_KEYEDHASH()).toBytes();
  }
}
