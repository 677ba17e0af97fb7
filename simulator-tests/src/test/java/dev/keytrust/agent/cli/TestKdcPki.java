package dev.keytrust.agent.cli;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
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

/**
 * A CA of the test's own and KDC certificates from it, right or wrong in one way each: with the
 * KDC EKU and {@code krbtgt/REALM@REALM}, without the EKU, or for another realm and host. What a
 * relay ({@link ReplyResigner}) signs the real KDC's reply with.
 */
final class TestKdcPki {
  /** A KDC certificate and its key. */
  record Kdc(X509Certificate certificate, KeyPair keys) {}

  private final KeyPair caKeys;
  private final X509Certificate ca;

  TestKdcPki() throws Exception {
    caKeys = rsa();
    X500Name name = new X500Name("CN=keytrust test KDC CA " + System.nanoTime());
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
        Date.from(Instant.now().minus(Duration.ofHours(1))),
        Date.from(Instant.now().plus(Duration.ofDays(1))), name, caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
    ca = sign(b);
  }

  /** Writes the CA certificate as PEM, for {@code --kdc-ca}. */
  Path writeCa(Path file) throws Exception {
    Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    return file;
  }

  /** A KDC certificate from this CA: {@code kdcEku} or not, naming {@code krbtgt/realm@realm} and {@code dnsName}. */
  Kdc kdc(boolean kdcEku, String realm, String dnsName) throws Exception {
    KeyPair keys = rsa();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca,
        BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minus(Duration.ofHours(1))),
        Date.from(Instant.now().plus(Duration.ofDays(1))), new X500Name("CN=" + dnsName),
        keys.getPublic());
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    List<KeyPurposeId> ekus = new ArrayList<>(List.of(KeyPurposeId.id_kp_serverAuth));
    if (kdcEku) {
      ekus.add(KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.3.6.1.5.2.3.5")));
    }
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(ekus.toArray(new KeyPurposeId[0])));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, dnsName),
        new GeneralName(GeneralName.otherName, new OtherName(
            new ASN1ObjectIdentifier("1.3.6.1.5.2.2"), krbtgt(realm)))}));
    return new Kdc(sign(b), keys);
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

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }
}
