package dev.keytrust.attest;

import static dev.keytrust.attest.TpmAlgorithms.*;

import dev.keytrust.error.KeytrustException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a {@link KeyAttestationStatement}: that a TPM whose attestation key an attestation CA
 * certified holds the registered key, with keytrust's user-key properties, and certified it for this
 * verifier's nonce. The steps, in order (the number is in every refusal):
 *
 * <ol>
 *   <li>Parse certifyInfo as TPMS_ATTEST, the signature as TPMT_SIGNATURE and the public area as
 *       TPMT_PUBLIC, strictly (sizes, reserved bits, trailing bytes).
 *   <li>The AIK certificate path validates (PKIX, at the verifier's clock) to one of the trust
 *       anchors (the attestation CAs), and the AIK certificate follows the TCG profile: version 3,
 *       empty subject, a critical subjectAltName with the TPM's manufacturer, model and version,
 *       extendedKeyUsage tcg-kp-AIKCertificate (2.23.133.8.3), not a CA.
 *   <li>The signature verifies over certifyInfo with the AIK certificate's public key, with a
 *       SHA-256 or stronger hash.
 *   <li>certifyInfo.magic is TPM_GENERATED_VALUE and its type TPM_ST_ATTEST_CERTIFY: the TPM made it
 *       (a restricted AK signs nothing that starts with that magic unless the TPM produced it).
 *   <li>certifyInfo.extraData is the verifier's nonce (the caller makes it single-use and
 *       short-lived).
 *   <li>The certified Name is nameAlg || H(public area): the public area is the certified object.
 *   <li>The public area has keytrust's user-key properties: objectAttributes exactly fixedTPM |
 *       fixedParent | sensitiveDataOrigin | userWithAuth | sign (noDA, restricted, decrypt,
 *       adminWithPolicy all clear), an empty authPolicy (no policy can stand in for the PIN),
 *       nameAlg SHA-256, no symmetric algorithm, RSA 2048 or ECC P-256, and a scheme of
 *       TPM_ALG_NULL or RSASSA/ECDSA with SHA-256.
 *   <li>The public key in the public area is the registered key.
 * </ol>
 *
 * <p>Not checked: certifyInfo.qualifiedSigner against the AK (the AIK certificate binds only the
 * AK's key, not its Name), and clockInfo/firmwareVersion (the TPM obfuscates them for keys outside
 * the endorsement hierarchy). Immutable and thread-safe.
 */
public final class CertifyVerifier {
  private final Set<TrustAnchor> anchors;
  private final Clock clock;

  private CertifyVerifier(Set<TrustAnchor> anchors, Clock clock) {
    this.anchors = anchors;
    this.clock = clock;
  }

  /** A verifier trusting the given attestation CA certificates, at {@code clock}'s time. */
  public static CertifyVerifier trusting(Set<X509Certificate> attestationCas, Clock clock) {
    if (attestationCas.isEmpty()) {
      throw new IllegalArgumentException("at least one attestation CA is needed");
    }
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : attestationCas) {
      a.add(new TrustAnchor(c, null));
    }
    return new CertifyVerifier(Set.copyOf(a), Objects.requireNonNull(clock, "clock"));
  }

  /**
   * What a successful verification established.
   *
   * @param publicArea the certified key's public area
   * @param aikCertificate the AIK certificate
   * @param tpm the TPM's manufacturer, model and version as the AIK certificate names them
   */
  public record VerifiedKey(TpmtPublic publicArea, X509Certificate aikCertificate, TpmDeviceAttributes tpm) {}

  /**
   * Runs the steps of the class comment.
   *
   * @param nonce the qualifyingData this verifier handed out for this attestation
   * @param registeredKey the key the attestation must be about
   * @throws AttestFormatException at step 1
   * @throws AttestationRefusedException at the step that failed
   */
  public VerifiedKey verify(KeyAttestationStatement statement, byte[] nonce, PublicKey registeredKey)
      throws KeytrustException {
    // 1. parse strictly
    TpmsAttest attest = TpmsAttest.parse(statement.certifyInfo());
    TpmtSignature signature = TpmtSignature.parse(statement.signature());
    TpmtPublic publicArea = TpmtPublic.parse(statement.publicArea());

    // 2. the AIK certificate path and the TCG AIK profile
    X509Certificate aik = statement.aikCertificate();
    validatePath(statement.aikCertificatePath());
    TpmDeviceAttributes tpm = checkAikProfile(aik);

    // 3. the signature over certifyInfo
    checkSignature(aik.getPublicKey(), signature, statement.certifyInfo());

    // 4. magic and type
    if (attest.magic() != TpmsAttest.TPM_GENERATED_VALUE) {
      throw refused(4, String.format("certifyInfo.magic is 0x%08X, not TPM_GENERATED_VALUE 0xFF544347: the TPM did "
          + "not produce it", attest.magic()));
    }
    if (attest.type() != TpmsAttest.TPM_ST_ATTEST_CERTIFY) {
      throw refused(4, String.format("certifyInfo.type is 0x%04X, not TPM_ST_ATTEST_CERTIFY", attest.type()));
    }

    // 5. the nonce
    if (!MessageDigest.isEqual(attest.extraData(), nonce)) {
      throw refused(5, "certifyInfo.extraData is not this verifier's nonce: the attestation was made for another "
          + "request (a replay) or the nonce expired");
    }

    // 6. the certified Name is the public area's
    if (!Arrays.equals(attest.certifiedName(), publicArea.name())) {
      throw refused(6, "the certified Name is not nameAlg || H(public area): the public area is not the object the "
          + "TPM certified");
    }

    // 7. keytrust's user-key properties
    checkUserKeyProperties(publicArea);

    // 8. the registered key
    PublicKey certified = publicArea.publicKey();
    if (!Arrays.equals(certified.getEncoded(), registeredKey.getEncoded())) {
      throw refused(8, "the certified public key is not the registered key");
    }
    return new VerifiedKey(publicArea, aik, tpm);
  }

  private void validatePath(List<X509Certificate> path) throws AttestationRefusedException {
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (GeneralSecurityException e) {
      throw new AttestationRefusedException(2, STEPS[2],
          "the AIK certificate does not chain to a trusted attestation CA (" + e.getMessage() + ")", e);
    }
  }

  /** The TCG AIK certificate profile (TCG EK Credential Profile / WebAuthn §8.3.1). */
  static TpmDeviceAttributes checkAikProfile(X509Certificate aik) throws AttestationRefusedException {
    if (aik.getVersion() != 3) {
      throw refused(2, "the AIK certificate is version " + aik.getVersion() + ", not 3");
    }
    if (!aik.getSubjectX500Principal().getName().isEmpty()) {
      throw refused(2, "the AIK certificate's subject is not empty");
    }
    if (aik.getCriticalExtensionOIDs() == null || !aik.getCriticalExtensionOIDs().contains("2.5.29.17")) {
      throw refused(2, "the AIK certificate's subjectAltName is missing or not critical");
    }
    TpmDeviceAttributes tpm = TpmDeviceAttributes.of(aik).orElseThrow(() -> refused(2,
        "the AIK certificate's subjectAltName lacks the TPM manufacturer, model or version"));
    try {
      List<String> eku = aik.getExtendedKeyUsage();
      if (eku == null || !eku.contains(TpmDeviceAttributes.OID_AIK_CERTIFICATE)) {
        throw refused(2, "the AIK certificate lacks extendedKeyUsage tcg-kp-AIKCertificate (2.23.133.8.3)");
      }
    } catch (CertificateParsingException e) {
      throw new AttestationRefusedException(2, STEPS[2], "the AIK certificate's extendedKeyUsage does not parse", e);
    }
    if (aik.getBasicConstraints() != -1) {
      throw refused(2, "the AIK certificate is a CA certificate");
    }
    return tpm;
  }

  static void checkSignature(PublicKey key, TpmtSignature signature, byte[] signed)
      throws AttestationRefusedException {
    if (signature.hashAlg() == SHA1) {
      throw refused(3, "the signature uses SHA-1");
    }
    boolean rsaKey = key.getAlgorithm().equals("RSA");
    if (rsaKey == (signature.sigAlg() == ECDSA)) {
      throw refused(3, "the signature algorithm " + algName(signature.sigAlg()) + " does not match the "
          + key.getAlgorithm() + " key of the AIK certificate");
    }
    try {
      Signature v;
      if (signature.sigAlg() == RSAPSS) {
        String h = jcaDigest(signature.hashAlg());
        v = Signature.getInstance("RSASSA-PSS");
        v.setParameter(new PSSParameterSpec(h, "MGF1", new MGF1ParameterSpec(h), digestSize(signature.hashAlg()), 1));
      } else {
        v = Signature.getInstance(signature.jcaAlgorithm());
      }
      v.initVerify(key);
      v.update(signed);
      if (v.verify(signature.jcaSignature())) {
        return;
      }
    } catch (GeneralSecurityException e) {
      throw new AttestationRefusedException(3, STEPS[3], "the signature does not verify (" + e.getMessage() + ")", e);
    }
    throw refused(3, "the signature over certifyInfo does not verify with the AIK certificate's key");
  }

  /** Step 7: exactly the properties keytrust's user keys are created with. */
  public static void checkUserKeyProperties(TpmtPublic p) throws AttestationRefusedException {
    if (p.objectAttributes().bits() != TpmaObject.USER_KEY.bits()) {
      throw refused(7, "the key's attributes are " + p.objectAttributes() + ", not exactly "
          + TpmaObject.USER_KEY + (p.objectAttributes().has(TpmaObject.NO_DA)
              ? " (noDA: wrong PINs would not count against the TPM's dictionary-attack protection)" : ""));
    }
    if (p.authPolicy().length != 0) {
      throw refused(7, "the key has an authPolicy: a policy could authorize it without the PIN");
    }
    if (p.nameAlg() != SHA256) {
      throw refused(7, "the key's nameAlg is " + algName(p.nameAlg()) + ", not SHA-256");
    }
    if (p.symmetricAlg() != NULL) {
      throw refused(7, "the key has a symmetric algorithm: it is a storage key");
    }
    boolean rsa = p.isRsa() && p.rsaKeyBits() == 2048 && (p.schemeAlg() == NULL
        || (p.schemeAlg() == RSASSA && p.schemeHashAlg() == SHA256));
    boolean ecc = !p.isRsa() && p.eccCurve() == ECC_NIST_P256 && p.eccKdfAlg() == NULL && (p.schemeAlg() == NULL
        || (p.schemeAlg() == ECDSA && p.schemeHashAlg() == SHA256));
    if (!rsa && !ecc) {
      throw refused(7, "the key is not an RSA 2048 or ECC P-256 signing key with scheme NULL or "
          + "RSASSA/ECDSA-SHA256: " + p);
    }
  }

  static final String[] STEPS = {
    "", "parse", "AIK certificate", "signature", "magic and type", "nonce", "certified Name",
    "key properties", "registered key"
  };

  private static AttestationRefusedException refused(int step, String why) {
    return new AttestationRefusedException(step, STEPS[step], why);
  }
}
