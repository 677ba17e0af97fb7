package dev.keytrust.attest;

import static dev.keytrust.attest.TpmAlgorithms.*;

import dev.keytrust.internal.EcdsaDer;

/**
 * TPMT_SIGNATURE (TPM 2.0 Part 2, §11.3.4) of an RSASSA, RSAPSS or ECDSA signature, parsed
 * strictly (sizes, no trailing bytes), with its JCA form. Immutable.
 */
public final class TpmtSignature {
  static final String STRUCTURE = "TPMT_SIGNATURE";
  static final int MAX_ECC_PARAMETER = 66;

  private final byte[] raw;
  private final int sigAlg;
  private final int hashAlg;
  private final byte[] rsaSignature;
  private final byte[] r;
  private final byte[] s;

  private TpmtSignature(byte[] raw, int sigAlg, int hashAlg, byte[] rsaSignature, byte[] r, byte[] s) {
    this.raw = raw;
    this.sigAlg = sigAlg;
    this.hashAlg = hashAlg;
    this.rsaSignature = rsaSignature;
    this.r = r;
    this.s = s;
  }

  /**
   * Parses a TPMT_SIGNATURE.
   *
   * @throws AttestFormatException with the offset where it goes wrong
   */
  public static TpmtSignature parse(byte[] data) throws AttestFormatException {
    TpmReader in = new TpmReader(data.clone(), STRUCTURE);
    int at = in.position();
    int alg = in.u16("sigAlg");
    if (alg != RSASSA && alg != RSAPSS && alg != ECDSA) {
      throw in.error("sigAlg " + algName(alg) + " is not RSASSA, RSAPSS or ECDSA", at);
    }
    at = in.position();
    int hash = in.u16("signature.hash");
    if (jcaDigest(hash) == null) {
      throw in.error("hash " + algName(hash) + " is not SHA-1, SHA-256, SHA-384 or SHA-512", at);
    }
    if (alg == ECDSA) {
      byte[] r = in.sized("signatureR", MAX_ECC_PARAMETER);
      byte[] s = in.sized("signatureS", MAX_ECC_PARAMETER);
      in.end();
      return new TpmtSignature(data.clone(), alg, hash, new byte[0], r, s);
    }
    at = in.position();
    byte[] sig = in.sized("sig", TpmtPublic.MAX_RSA_KEY_BYTES);
    if (sig.length == 0) {
      throw in.error("the RSA signature is empty", at);
    }
    in.end();
    return new TpmtSignature(data.clone(), alg, hash, sig, new byte[0], new byte[0]);
  }

  public byte[] rawBytes() {
    return raw.clone();
  }

  /** TPM_ALG_RSASSA, TPM_ALG_RSAPSS or TPM_ALG_ECDSA. */
  public int sigAlg() {
    return sigAlg;
  }

  public int hashAlg() {
    return hashAlg;
  }

  /** The JCA signature algorithm, e.g. {@code SHA256withRSA}, {@code SHA256withECDSA}. */
  public String jcaAlgorithm() {
    String h = jcaDigest(hashAlg).replace("-", "");
    return switch (sigAlg) {
      case RSASSA -> h + "withRSA";
      case RSAPSS -> h + "withRSA/PSS";
      default -> h + "withECDSA";
    };
  }

  /**
   * The signature as JCA verifies it: the RSA signature bytes, or DER {@code SEQUENCE {r, s}} for
   * ECDSA. (RSAPSS needs PSSParameterSpec with the hash's MGF1 and a salt of the hash size.)
   */
  public byte[] jcaSignature() {
    if (sigAlg != ECDSA) {
      return rsaSignature.clone();
    }
    return EcdsaDer.fromRs(r, s);
  }

  @Override
  public String toString() {
    return "TPMT_SIGNATURE[" + algName(sigAlg) + ", " + algName(hashAlg) + "]";
  }
}
