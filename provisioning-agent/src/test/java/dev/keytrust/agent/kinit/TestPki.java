package dev.keytrust.agent.kinit;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERGeneralString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA and KDC certificates from it, right or wrong in one way each. */
final class TestPki {
  /** A KDC certificate and its key. */
  record Kdc(X509Certificate certificate, KeyPair keys) {}

  private static final KeyPair CA_KEYS = rsa();
  private static final KeyPair KDC_KEYS = rsa();

  final X509Certificate ca;
  private final KeyPair caKeys;

  private TestPki(KeyPair caKeys, String name) throws Exception {
    this.caKeys = caKeys;
    X500Name n = new X500Name("CN=" + name);
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(n, BigInteger.ONE,
        Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(30))),
        n, caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
    ca = sign(b);
  }

  /** The enterprise CA of the tests (one key pair per JVM: RSA key generation is slow). */
  static TestPki enterprise() throws Exception {
    return new TestPki(CA_KEYS, "Test Enterprise CA");
  }

  /** Another CA, with a key of its own. */
  static TestPki other() throws Exception {
    return new TestPki(rsa(), "Other CA");
  }

  /**
   * A KDC certificate valid from {@code notBefore} to {@code notAfter}, with the KDC EKU or not,
   * naming {@code krbtgt/realm@realm} (when {@code realm} is not null) and {@code dnsNames}.
   */
  Kdc kdc(boolean kdcEku, String realm, List<String> dnsNames, Instant notBefore, Instant notAfter)
      throws Exception {
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca,
        BigInteger.valueOf(System.nanoTime()), Date.from(notBefore), Date.from(notAfter),
        new X500Name("CN=kdc"), KDC_KEYS.getPublic());
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    List<KeyPurposeId> ekus = new ArrayList<>(List.of(KeyPurposeId.id_kp_serverAuth));
    if (kdcEku) {
      ekus.add(KeyPurposeId.getInstance(PkinitOids.KP_KDC));
    }
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(ekus.toArray(new KeyPurposeId[0])));
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    if (realm != null) {
      names.add(new GeneralName(GeneralName.otherName, new OtherName(PkinitOids.PKINIT_SAN, krbtgt(realm))));
    }
    if (!names.isEmpty()) {
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(names.toArray(new GeneralName[0])));
    }
    return new Kdc(sign(b), KDC_KEYS);
  }

  /** A right KDC certificate for {@code realm}, valid a day either side of now. */
  Kdc kdc(String realm) throws Exception {
    return kdc(true, realm, List.of(), Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(1)));
  }

  private static DERSequence krbtgt(String realm) {
    ASN1EncodableVector names = new ASN1EncodableVector();
    names.add(new DERGeneralString("krbtgt"));
    names.add(new DERGeneralString(realm));
    ASN1EncodableVector principal = new ASN1EncodableVector();
    principal.add(new DERTaggedObject(true, 0, new ASN1Integer(2)));
    principal.add(new DERTaggedObject(true, 1, new DERSequence(names)));
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new DERTaggedObject(true, 0, new DERGeneralString(realm)));
    v.add(new DERTaggedObject(true, 1, new DERSequence(principal)));
    return new DERSequence(v);
  }

  private X509Certificate sign(JcaX509v3CertificateBuilder b) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
