package dev.keytrust.attest;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a TPM key attestation hands a verifier: the TPMS_ATTEST a TPM2_Certify produced, the AK's
 * TPMT_SIGNATURE over it, the certified key's TPMT_PUBLIC, and the AIK certificate with the chain
 * the attestation CA gave (AIK certificate first). Unchecked bytes: {@link CertifyVerifier} reads
 * and checks them. Immutable; build with {@link #builder()}, which asks for every field in turn.
 */
public final class KeyAttestationStatement {
  private final byte[] certifyInfo;
  private final byte[] signature;
  private final byte[] publicArea;
  private final List<X509Certificate> aikCertificatePath;

  private KeyAttestationStatement(byte[] certifyInfo, byte[] signature, byte[] publicArea,
      List<X509Certificate> aikCertificatePath) {
    this.certifyInfo = certifyInfo;
    this.signature = signature;
    this.publicArea = publicArea;
    this.aikCertificatePath = aikCertificatePath;
  }

  /** A staged builder: certifyInfo, then signature, then publicArea, then the AIK certificate path. */
  public static CertifyInfoStage builder() {
    return certifyInfo -> signature -> publicArea -> path -> {
      if (path.isEmpty()) {
        throw new IllegalArgumentException("the AIK certificate path is empty");
      }
      return new KeyAttestationStatement(certifyInfo.clone(), signature.clone(), publicArea.clone(),
          List.copyOf(path));
    };
  }

  /** First stage. */
  @FunctionalInterface
  public interface CertifyInfoStage {
    /** The TPMS_ATTEST (the content of TPM2_Certify's TPM2B_ATTEST). */
    SignatureStage certifyInfo(byte[] certifyInfo);
  }

  @FunctionalInterface
  public interface SignatureStage {
    /** The TPMT_SIGNATURE over certifyInfo. */
    PublicAreaStage signature(byte[] signature);
  }

  @FunctionalInterface
  public interface PublicAreaStage {
    /** The certified key's TPMT_PUBLIC. */
    PathStage publicArea(byte[] publicArea);
  }

  @FunctionalInterface
  public interface PathStage {
    /** The AIK certificate, then the certificates up to (not necessarily including) the CA root. */
    KeyAttestationStatement aikCertificatePath(List<X509Certificate> path);
  }

  public byte[] certifyInfo() {
    return certifyInfo.clone();
  }

  public byte[] signature() {
    return signature.clone();
  }

  public byte[] publicArea() {
    return publicArea.clone();
  }

  public List<X509Certificate> aikCertificatePath() {
    return aikCertificatePath;
  }

  public X509Certificate aikCertificate() {
    return aikCertificatePath.get(0);
  }

  @Override
  public String toString() {
    return "KeyAttestationStatement[certifyInfo " + certifyInfo.length + " B, signature " + signature.length
        + " B, publicArea " + publicArea.length + " B, AIK " + aikCertificate().getIssuerX500Principal() + "]";
  }
}
