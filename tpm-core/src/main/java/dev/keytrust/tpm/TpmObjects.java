package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.EcdsaDer;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import tss.tpm.TPM2B_PUBLIC_KEY_RSA;
import tss.tpm.TPMS_ECC_PARMS;
import tss.tpm.TPMS_ECC_POINT;
import tss.tpm.TPMS_RSA_PARMS;
import tss.tpm.TPMS_SIGNATURE_ECDSA;
import tss.tpm.TPMS_SIGNATURE_RSASSA;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMU_SIGNATURE;
import tss.tpm.TPM_ECC_CURVE;

/** Converting TPM objects for the JDK: public areas to JCA keys, TPM Names, signatures to JCA form. */
public final class TpmObjects {
  private TpmObjects() {}

  static byte[] toJcaSignature(TPMU_SIGNATURE sig) throws KeytrustException {
    if (sig instanceof TPMS_SIGNATURE_RSASSA rsa) {
      return rsa.sig.clone();
    }
    if (sig instanceof TPMS_SIGNATURE_ECDSA ec) {
      return derEcdsa(ec.signatureR, ec.signatureS);
    }
    throw new KeytrustException(
        CoreErrorCode.TPM_COMMAND_FAILED, "The TPM returned an unexpected signature type " + sig + ".");
  }

  /** DER {@code SEQUENCE { INTEGER r, INTEGER s }}: {@link EcdsaDer#fromRs}. */
  static byte[] derEcdsa(byte[] r, byte[] s) {
    return EcdsaDer.fromRs(r, s);
  }

  /** The JCA public key of a TPMT_PUBLIC (RSA or ECC P-256). An RSA exponent of 0 means 65537. */
  public static PublicKey publicKey(byte[] publicArea) throws KeytrustException {
    try {
      TPMT_PUBLIC p = TPMT_PUBLIC.fromBytes(publicArea);
      if (p.parameters instanceof TPMS_RSA_PARMS rp && p.unique instanceof TPM2B_PUBLIC_KEY_RSA n) {
        long e = Integer.toUnsignedLong(rp.exponent);
        RSAPublicKey k = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
            new RSAPublicKeySpec(new BigInteger(1, n.buffer), BigInteger.valueOf(e == 0 ? 65537 : e)));
        if (k.getModulus().bitLength() != rp.keyBits) {
          throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED,
              "The TPM's RSA public key has " + k.getModulus().bitLength() + " bits, not " + rp.keyBits + ".");
        }
        return k;
      }
      if (p.parameters instanceof TPMS_ECC_PARMS ep && p.unique instanceof TPMS_ECC_POINT pt) {
        if (ep.curveID.toInt() != TPM_ECC_CURVE.NIST_P256.toInt()) {
          throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM,
              "Only NIST P-256 ECC keys are supported, not curve " + TcgNames.curve(ep.curveID.toInt()) + ".");
        }
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        ECPublicKey k = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(
            new ECPublicKeySpec(new ECPoint(new BigInteger(1, pt.x), new BigInteger(1, pt.y)), spec));
        return k;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED, "The TPM public area does not decode: " + e.getMessage(), e);
    }
    throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM, "The TPM key is neither RSA nor ECC.");
  }

  /** The TPM Name of a public area: nameAlg (SHA-256, 0x000B) followed by SHA-256(TPMT_PUBLIC). */
  public static byte[] name(byte[] publicArea) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(publicArea);
      byte[] n = new byte[2 + d.length];
      n[0] = 0x00;
      n[1] = 0x0B;
      System.arraycopy(d, 0, n, 2, d.length);
      return n;
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("SHA-256 missing from the JDK", e);
    }
  }
}
