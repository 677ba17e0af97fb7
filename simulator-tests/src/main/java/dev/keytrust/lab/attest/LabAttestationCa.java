package dev.keytrust.lab.attest;

import dev.keytrust.attest.AttestationAuthority;
import dev.keytrust.attest.AttestationRefusedException;
import dev.keytrust.attest.EndorsementKey;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.attest.CertifyVerifier;
import dev.keytrust.attest.KeyAttestationStatement;
import dev.keytrust.attest.TpmDeviceAttributes;
import dev.keytrust.attest.TpmaObject;
import dev.keytrust.attest.TpmtPublic;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.LabException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's attestation CA (a "privacy CA"): it trusts EK certificates of the manufacturers it is
 * given, certifies attestation keys whose credential activation succeeds, hands out nonces, and
 * verifies TPM2_Certify statements of user keys with {@link CertifyVerifier}. In-memory, throw-away
 * (its key never leaves this object); thread-safe.
 *
 * <p><b>Activation</b> ({@link #startActivation}, then {@link #finishActivation}), as numbered
 * steps (the number is in every refusal):
 *
 * <ol>
 *   <li>The EK and AK public areas parse as TPMT_PUBLIC (strictly).
 *   <li>The EK certificate path validates (PKIX, at the CA's clock) to a manufacturer root, and the
 *       EK certificate has extendedKeyUsage tcg-kp-EKCertificate (2.23.133.8.1) and the TPM's
 *       manufacturer, model and version in its subjectAltName.
 *   <li>The EK public area is a TCG EK (fixedTPM | fixedParent | sensitiveDataOrigin |
 *       adminWithPolicy | restricted | decrypt, PolicyA, nameAlg SHA-256, AES-128-CFB) whose public
 *       key is the EK certificate's.
 *   <li>The AK public area is an attestation key (go-attestation's CheckAKParameters): fixedTPM,
 *       fixedParent, sensitiveDataOrigin, restricted and sign set, decrypt clear, nameAlg SHA-256,
 *       RSA 2048 with RSASSA-SHA256 or P-256 with ECDSA-SHA256.
 *   <li>MakeCredential of a random 32-byte secret for the EK and Name(AK); the activation is kept
 *       for {@link #ACTIVATION_LIFETIME}, for one answer.
 *   <li>(finish) The activation is known, unexpired and unused, and the secret that came back is the
 *       one made: only the TPM holding that EK with that AK loaded could recover it.
 *   <li>(finish) An AIK certificate is issued (TCG profile: version 3, empty subject, critical
 *       subjectAltName directoryName with the EK certificate's TPM manufacturer, model and version,
 *       extendedKeyUsage 2.23.133.8.3, basicConstraints CA:FALSE).
 * </ol>
 *
 * <p><b>Key attestation</b>: {@link #issueNonce()} (single use, {@link #NONCE_LIFETIME}), then
 * {@link #verifyKey}: the nonce is consumed (unknown, used or expired: refused), then the steps of
 * {@link CertifyVerifier} with this CA as trust anchor.
 */
public final class LabAttestationCa {
  /** How long an activation waits for its secret. */
  public static final Duration ACTIVATION_LIFETIME = Duration.ofMinutes(5);
  /** How long a nonce may be used. */
  public static final Duration NONCE_LIFETIME = Duration.ofMinutes(5);
  /** The most activations and nonces kept at once (the oldest are dropped). */
  static final int MAX_PENDING = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(LabAttestationCa.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int EK_ATTRIBUTES = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
      | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.ADMIN_WITH_POLICY | TpmaObject.RESTRICTED | TpmaObject.DECRYPT;
  private static final byte[] POLICY_A = HexFormat.of().parseHex(
      "837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA");
  private static final String[] STEPS = {
    "", "parse", "EK certificate", "EK public area", "AK public area", "MakeCredential", "activation secret",
    "AIK certificate"
  };

  private final Set<TrustAnchor> manufacturers;
  private final List<X509Certificate> intermediates;
  private final Clock clock;
  private final KeyPair caKeys;
  private final X509Certificate caCertificate;
  private final Map<String, Pending> activations = new LinkedHashMap<>(); // guarded by this
  private final Map<String, Instant> nonces = new LinkedHashMap<>(); // Base64 nonce -> deadline, guarded by this

  private record Pending(byte[] secret, TpmtPublic ak, X509Certificate ekCertificate, TpmDeviceAttributes tpm,
      Instant deadline) {}

  /** The challenge of {@link #startActivation}: an id and TPM2_ActivateCredential's two inputs. */
  public record Challenge(String id, MakeCredential.Blobs blobs) {}

  private LabAttestationCa(Set<TrustAnchor> manufacturers, List<X509Certificate> intermediates, Clock clock,
      KeyPair caKeys, X509Certificate ca) {
    this.manufacturers = manufacturers;
    this.intermediates = intermediates;
    this.clock = clock;
    this.caKeys = caKeys;
    this.caCertificate = ca;
  }

  /**
   * A new CA (EC P-256, self-signed, {@code CN=keytrust lab attestation CA}) trusting EK
   * certificates that chain to one of {@code manufacturerRoots}, through {@code
   * manufacturerIntermediates} where the client sends only the EK certificate (as a TPM's NV holds
   * it).
   */
  public static LabAttestationCa create(Set<X509Certificate> manufacturerRoots,
      List<X509Certificate> manufacturerIntermediates, Clock clock) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair keys = g.generateKeyPair();
      Instant now = clock.instant();
      X500Name name = new X500Name("CN=keytrust lab attestation CA,O=keytrust lab");
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(3650))), name, keys.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate ca = new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      Set<TrustAnchor> anchors = manufacturerRoots.stream().map(c -> new TrustAnchor(c, null))
          .collect(Collectors.toUnmodifiableSet());
      return new LabAttestationCa(anchors, List.copyOf(manufacturerIntermediates), clock, keys, ca);
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
        | org.bouncycastle.cert.CertIOException e) {
      throw new LabException("Cannot create the lab attestation CA: " + e.getMessage(), e);
    }
  }

  /** The CA certificate: the trust anchor of AIK certificates (and of WebAuthn {@code tpm} statements). */
  public X509Certificate certificate() {
    return caCertificate;
  }

  /**
   * Steps 1-5: checks the EK certificate path ({@code ekPath}: the EK certificate first, then
   * intermediates), the EK and the AK, and makes a credential for them.
   *
   * @throws AttestationRefusedException at the step that failed
   */
  public Challenge startActivation(List<X509Certificate> ekPath, byte[] ekPublicArea, byte[] akPublicArea)
      throws KeytrustException {
    // 1
    TpmtPublic ek = TpmtPublic.parse(ekPublicArea);
    TpmtPublic ak = TpmtPublic.parse(akPublicArea);
    // 2
    if (ekPath.isEmpty()) {
      throw refused(2, "no EK certificate was given");
    }
    X509Certificate ekCert = ekPath.get(0);
    try {
      PKIXParameters params = new PKIXParameters(manufacturers);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(completed(ekPath)), params);
    } catch (GeneralSecurityException e) {
      throw new AttestationRefusedException(2, STEPS[2], "the EK certificate (issuer "
          + ekCert.getIssuerX500Principal() + ") does not chain to a TPM manufacturer this CA trusts: " + e.getMessage(), e);
    }
    try {
      List<String> eku = ekCert.getExtendedKeyUsage();
      if (eku == null || !eku.contains(TpmDeviceAttributes.OID_EK_CERTIFICATE)) {
        throw refused(2, "the EK certificate lacks extendedKeyUsage tcg-kp-EKCertificate (2.23.133.8.1)");
      }
    } catch (CertificateParsingException e) {
      throw new AttestationRefusedException(2, STEPS[2], "the EK certificate's extendedKeyUsage does not parse", e);
    }
    TpmDeviceAttributes tpm = TpmDeviceAttributes.of(ekCert)
        .orElseThrow(() -> refused(2, "the EK certificate names no TPM manufacturer, model and version"));
    // 3
    if (ek.objectAttributes().bits() != EK_ATTRIBUTES || !Arrays.equals(ek.authPolicy(), POLICY_A)
        || ek.nameAlg() != 0x000B || ek.symmetricAlg() != 0x0006 || ek.symmetricKeyBits() != 128) {
      throw refused(3, "the EK public area is not a TCG EK (template L-1/L-2): " + ek);
    }
    if (!Arrays.equals(ek.publicKey().getEncoded(), ekCert.getPublicKey().getEncoded())) {
      throw refused(3, "the EK public area's key is not the EK certificate's key");
    }
    // 4
    TpmaObject a = ak.objectAttributes();
    boolean attributes = a.has(TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT | TpmaObject.SENSITIVE_DATA_ORIGIN
        | TpmaObject.RESTRICTED | TpmaObject.SIGN_ENCRYPT) && !a.has(TpmaObject.DECRYPT);
    boolean algorithm = ak.isRsa()
        ? ak.rsaKeyBits() == 2048 && ak.schemeAlg() == 0x0014 && ak.schemeHashAlg() == 0x000B
        : ak.eccCurve() == 0x0003 && ak.schemeAlg() == 0x0018 && ak.schemeHashAlg() == 0x000B;
    if (!attributes || !algorithm || ak.nameAlg() != 0x000B) {
      throw refused(4, "the AK is not a restricted, non-duplicable RSASSA/ECDSA-SHA256 signing key made in the TPM: "
          + ak);
    }
    // 5
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    MakeCredential.Blobs blobs;
    try {
      blobs = MakeCredential.make(ek, ak.name(), secret);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new AttestationRefusedException(5, STEPS[5], "MakeCredential failed: " + e.getMessage(), e);
    }
    String id = randomId();
    synchronized (this) {
      trim(activations);
      activations.put(id, new Pending(secret, ak, ekCert, tpm, clock.instant().plus(ACTIVATION_LIFETIME)));
    }
    LOG.info("lab attestation CA: activation {} for an AK of {} (EK certificate from {})", id, tpm,
        ekCert.getIssuerX500Principal().getName());
    return new Challenge(id, blobs);
  }

  /**
   * Steps 6-7: the secret the TPM recovered; issues the AIK certificate when it is the right one.
   *
   * @return the AIK certificate, then this CA's certificate
   * @throws AttestationRefusedException step 6 for an unknown, used or expired activation, or a
   *     wrong secret
   */
  public List<X509Certificate> finishActivation(String id, byte[] secret) throws KeytrustException {
    Pending p;
    synchronized (this) {
      p = activations.remove(id);
    }
    if (p == null) {
      throw refused(6, "no activation " + id + " is waiting (unknown, already answered, or dropped)");
    }
    if (clock.instant().isAfter(p.deadline())) {
      throw refused(6, "activation " + id + " expired at " + p.deadline());
    }
    if (!MessageDigest.isEqual(p.secret(), secret)) {
      throw refused(6, "the secret that came back is not the credential: the AK is not in the TPM of that EK");
    }
    X509Certificate aik = issueAik(p.ak().publicKey(), p.tpm());
    // p.ak().publicKey() cannot fail here: step 4 read the AK's key already
    LOG.info("lab attestation CA: issued AIK certificate {} for {}", aik.getSerialNumber().toString(16), p.tpm());
    return List.of(aik, caCertificate);
  }

  private X509Certificate issueAik(PublicKey akKey, TpmDeviceAttributes tpm) throws AttestationRefusedException {
    try {
      Instant now = clock.instant();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCertificate, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(365))),
          new X500Name(new RDN[0]), akKey);
      X500NameBuilder dn = new X500NameBuilder(BCStyle.INSTANCE);
      dn.addRDN(new ASN1ObjectIdentifier(TpmDeviceAttributes.OID_TPM_MANUFACTURER), new DERUTF8String(tpm.manufacturer()));
      dn.addRDN(new ASN1ObjectIdentifier(TpmDeviceAttributes.OID_TPM_MODEL), new DERUTF8String(tpm.model()));
      dn.addRDN(new ASN1ObjectIdentifier(TpmDeviceAttributes.OID_TPM_VERSION), new DERUTF8String(tpm.version()));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.directoryName, dn.build())));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(KeyPurposeId.getInstance(new ASN1ObjectIdentifier(TpmDeviceAttributes.OID_AIK_CERTIFICATE))));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
        | org.bouncycastle.cert.CertIOException e) {
      throw new AttestationRefusedException(7, STEPS[7], "the AIK certificate could not be made: " + e.getMessage(), e);
    }
  }

  /** A fresh 32-byte nonce for one key attestation, valid for {@link #NONCE_LIFETIME}. */
  public byte[] issueNonce() {
    byte[] nonce = new byte[32];
    RANDOM.nextBytes(nonce);
    synchronized (this) {
      trim(nonces);
      nonces.put(Base64.getEncoder().encodeToString(nonce), clock.instant().plus(NONCE_LIFETIME));
    }
    return nonce;
  }

  /**
   * Verifies a key attestation: consumes {@code nonce} (refused at step 5 of {@link CertifyVerifier}
   * when this CA did not issue it, it was used, or it expired), then runs the verifier's steps
   * with this CA as the only trust anchor.
   */
  public CertifyVerifier.VerifiedKey verifyKey(KeyAttestationStatement statement, byte[] nonce, PublicKey registeredKey)
      throws KeytrustException {
    Instant deadline;
    synchronized (this) {
      deadline = nonces.remove(Base64.getEncoder().encodeToString(nonce));
    }
    if (deadline == null) {
      throw new AttestationRefusedException(5, "nonce", "the nonce was not issued by this CA or was used already "
          + "(a replay): ask for a new one");
    }
    if (clock.instant().isAfter(deadline)) {
      throw new AttestationRefusedException(5, "nonce", "the nonce expired at " + deadline + ": ask for a new one");
    }
    return CertifyVerifier.trusting(Set.of(caCertificate), clock).verify(statement, nonce, registeredKey);
  }

  /** The path with known intermediates appended up to an anchor, without the anchor itself. */
  private List<X509Certificate> completed(List<X509Certificate> path) {
    List<X509Certificate> out = new ArrayList<>(path);
    for (int guard = 0; guard < 8; guard++) {
      X509Certificate last = out.get(out.size() - 1);
      java.util.Optional<X509Certificate> next = intermediates.stream()
          .filter(c -> c.getSubjectX500Principal().equals(last.getIssuerX500Principal()) && !out.contains(c))
          .findFirst();
      if (next.isEmpty()) {
        break;
      }
      out.add(next.get());
    }
    while (out.size() > 1 && manufacturers.stream().anyMatch(a -> a.getTrustedCert().equals(out.get(out.size() - 1)))) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /** This CA as a client's {@link AttestationAuthority}, called in-process (tests, the lab demo). */
  public AttestationAuthority authority() {
    return new AttestationAuthority() {
      @Override
      public Challenge challenge(EndorsementKey ek, byte[] akPublicArea) throws KeytrustException {
        LabAttestationCa.Challenge c = startActivation(List.of(ek.certificate()), ek.publicArea().rawBytes(),
            akPublicArea);
        return new Challenge(c.id(), c.blobs().credentialBlob(), c.blobs().encryptedSecret());
      }

      @Override
      public List<X509Certificate> activate(String challengeId, SecretBuffer credential) throws KeytrustException {
        return finishActivation(challengeId, credential.copy(InsecureSecretAccess.get()));
      }

      @Override
      public String describe() {
        return "the lab attestation CA";
      }
    };
  }

  private static <V> void trim(Map<String, V> map) {
    while (map.size() >= MAX_PENDING) {
      map.remove(map.keySet().iterator().next());
    }
  }

  private static String randomId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static BigInteger serial() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    b[0] &= 0x7F;
    return new BigInteger(1, b).max(BigInteger.ONE);
  }

  private static AttestationRefusedException refused(int step, String why) {
    return new AttestationRefusedException(step, STEPS[step], why);
  }
}
