package dev.keytrust.lab.kdc;

import dev.keytrust.lab.LabException;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERGeneralString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * The lab KDC's PKI and the PKINIT certificates around it, made with Bouncy Castle (RSA and
 * SHA-256 throughout: Samba 4.24's KDC runs Heimdal without OpenSSL, which has no ECDSA).
 *
 * <ul>
 *   <li>{@link #issueKdc}: a throw-away CA (its key is never written) and the DC's certificate,
 *       used both by the KDC ({@code pkinit_identity}) and by LDAPS: EKU id-pkinit-KPKdc
 *       (1.3.6.1.5.2.3.5), smart card logon and serverAuth; the SAN id-pkinit-san {@code
 *       krbtgt/REALM@REALM} (without it Heimdal and MIT clients refuse the KDC), the DC's DNS
 *       names and its IP address.
 *   <li>{@link #selfSignedKeyTrust}: a client certificate as Windows makes one for key trust: self
 *       signed around the user's key, keyUsage digitalSignature, the account named by an MS UPN
 *       SAN (1.3.6.1.4.1.311.20.2.3). The KDC finds the key in msDS-KeyCredentialLink; the
 *       certificate must not chain to the KDC's anchors.
 * </ul>
 */
public final class KdcCertificates {
  /** id-pkinit-KPKdc: the KDC certificate's EKU (RFC 4556). */
  public static final String EKU_PKINIT_KDC = "1.3.6.1.5.2.3.5";
  /** id-pkinit-san: a Kerberos principal name in a SAN otherName (RFC 4556). */
  public static final String ID_PKINIT_SAN = "1.3.6.1.5.2.2";
  /** Microsoft's UPN otherName. */
  public static final String MS_UPN_SAN = "1.3.6.1.4.1.311.20.2.3";
  /** Microsoft's smart card logon EKU. */
  public static final String EKU_MS_SMARTCARD_LOGON = "1.3.6.1.4.1.311.20.2.2";

  private static final String SIGNATURE = "SHA256withRSA";
  private static final int KRB5_NT_SRV_INST = 2;

  /**
   * The KDC's PEM files.
   *
   * @param ca the CA certificate
   * @param kdc the DC's certificate (KDC and LDAPS)
   * @param caPem the CA certificate, PEM
   * @param kdcPem the DC's certificate, PEM
   * @param kdcKeyPem the DC's PKCS#8 private key, PEM
   */
  public record KdcPki(X509Certificate ca, X509Certificate kdc, String caPem, String kdcPem,
      String kdcKeyPem) {}

  private KdcCertificates() {}

  /**
   * A new CA and the DC certificate for {@code realm}, {@code dnsNames} and {@code address}, valid
   * from an hour ago for {@code validity}.
   */
  public static KdcPki issueKdc(String realm, List<String> dnsNames, String address,
      Duration validity) {
    try {
      SecureRandom random = new SecureRandom();
      Instant notBefore = Instant.now().minus(Duration.ofHours(1));
      Instant notAfter = notBefore.plus(validity).plus(Duration.ofHours(1));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

      KeyPair caKeys = rsa(random);
      X500Name caName = new X500Name("O=" + realm + ",CN=keytrust lab KDC CA "
          + serial(random).toString(16).substring(0, 8));
      X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(random),
          Date.from(notBefore), Date.from(notAfter), caName, caKeys.getPublic());
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      ca.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      ca.addExtension(Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate caCert = sign(ca, caKeys.getPrivate());

      KeyPair kdcKeys = rsa(random);
      X509v3CertificateBuilder kdc = new JcaX509v3CertificateBuilder(caCert, serial(random),
          Date.from(notBefore), Date.from(notAfter),
          new X500Name("O=" + realm + ",CN=" + dnsNames.get(0)), kdcKeys.getPublic());
      kdc.addExtension(Extension.basicConstraints, false, new BasicConstraints(false));
      kdc.addExtension(Extension.keyUsage, true, new KeyUsage(
          KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
      kdc.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
          KeyPurposeId.getInstance(new ASN1ObjectIdentifier(EKU_PKINIT_KDC)),
          KeyPurposeId.getInstance(new ASN1ObjectIdentifier(EKU_MS_SMARTCARD_LOGON)),
          KeyPurposeId.id_kp_serverAuth}));
      GeneralName[] names = new GeneralName[dnsNames.size() + 2];
      for (int i = 0; i < dnsNames.size(); i++) {
        names[i] = new GeneralName(GeneralName.dNSName, dnsNames.get(i));
      }
      names[dnsNames.size()] = new GeneralName(GeneralName.iPAddress,
          InetAddress.getByName(address).getHostAddress());
      names[dnsNames.size() + 1] = new GeneralName(GeneralName.otherName, new OtherName(
          new ASN1ObjectIdentifier(ID_PKINIT_SAN), krb5PrincipalName(realm, "krbtgt", realm)));
      kdc.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      kdc.addExtension(Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(kdcKeys.getPublic()));
      kdc.addExtension(Extension.authorityKeyIdentifier, false,
          ext.createAuthorityKeyIdentifier(caCert));
      X509Certificate kdcCert = sign(kdc, caKeys.getPrivate());
      kdcCert.verify(caCert.getPublicKey());
      return new KdcPki(caCert, kdcCert, pem(caCert), pem(kdcCert), pem(kdcKeys.getPrivate()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new LabException("Cannot generate the lab KDC's certificates: " + e.getMessage(), e);
    }
  }

  /**
   * A self-signed certificate around {@code keys} for key-trust PKINIT as {@code upn}: subject
   * {@code CN=<upn>}, keyUsage digitalSignature (critical), an MS UPN SAN, valid from an hour ago
   * for {@code validity}, signed SHA256withRSA with the key itself.
   */
  public static X509Certificate selfSignedKeyTrust(KeyPair keys, String upn, Duration validity) {
    try {
      SecureRandom random = new SecureRandom();
      Instant notBefore = Instant.now().minus(Duration.ofHours(1));
      X500Name name = new X500Name("CN=" + upn);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(random),
          Date.from(notBefore), Date.from(notBefore.plus(validity).plus(Duration.ofHours(1))),
          name, keys.getPublic());
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectKeyIdentifier, false,
          new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(
          GeneralName.otherName, new OtherName(new ASN1ObjectIdentifier(MS_UPN_SAN),
              new DERUTF8String(upn)))));
      return sign(b, keys.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new LabException("Cannot make a key trust certificate for " + upn + ": "
          + e.getMessage(), e);
    }
  }

  /** KRB5PrincipalName (RFC 4556): realm [0] GeneralString, principalName [1] PrincipalName. */
  private static DERSequence krb5PrincipalName(String realm, String... components) {
    ASN1Encodable[] parts = new ASN1Encodable[components.length];
    for (int i = 0; i < components.length; i++) {
      parts[i] = new DERGeneralString(components[i]);
    }
    DERSequence principalName = new DERSequence(new ASN1Encodable[] {
        new DERTaggedObject(true, 0, new ASN1Integer(KRB5_NT_SRV_INST)),
        new DERTaggedObject(true, 1, new DERSequence(parts))});
    return new DERSequence(new ASN1Encodable[] {
        new DERTaggedObject(true, 0, new DERGeneralString(realm)),
        new DERTaggedObject(true, 1, principalName)});
  }

  /** A new RSA-2048 key pair. */
  public static KeyPair rsa2048() {
    try {
      return rsa(new SecureRandom());
    } catch (GeneralSecurityException e) {
      throw new LabException("Cannot generate an RSA key: " + e.getMessage(), e);
    }
  }

  private static KeyPair rsa(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, random);
    return g.generateKeyPair();
  }

  /** A positive 127-bit serial number. */
  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).setBit(126);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
  }

  /** A certificate as PEM ({@code BEGIN CERTIFICATE}). */
  public static String pem(X509Certificate certificate) {
    return writePem(certificate);
  }

  /** A private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), which hx509 reads. */
  public static String pem(PrivateKey key) {
    try {
      return writePem(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new LabException("Cannot encode a private key: " + e.getMessage(), e);
    }
  }

  /** A public key as PEM ({@code BEGIN PUBLIC KEY}). */
  public static String pem(PublicKey key) {
    return writePem(key);
  }

  private static String writePem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      if (o instanceof PemObjectGenerator g) {
        w.writeObject(g);
      } else {
        w.writeObject(o);
      }
    } catch (IOException e) {
      throw new LabException("Cannot write PEM: " + e.getMessage(), e);
    }
    return out.toString();
  }

  static byte[] ascii(String pem) {
    return pem.getBytes(StandardCharsets.US_ASCII);
  }
}
