package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/**
 * The certificate made on the fly around the user's key, as Windows makes it for key trust: self
 * signed by the key, valid from {@link #BACKDATE} ago for {@link #LIFETIME}, with keyUsage
 * digitalSignature (critical) and the account's UPN as a Microsoft UPN subjectAltName. A key trust
 * KDC does not chain it to a CA: it matches its public key against the user's
 * msDS-KeyCredentialLink and its UPN against the account.
 */
final class ClientCertificate {
  /** How long before now the certificate becomes valid (clocks a little apart still agree). */
  static final Duration BACKDATE = Duration.ofMinutes(5);
  /** How long after now it stays valid: one sign-in. */
  static final Duration LIFETIME = Duration.ofMinutes(10);

  private ClientCertificate() {}

  /**
   * Makes and signs the certificate for {@code upn}: one signature by {@code signer}, so a wrong
   * PIN fails here.
   *
   * @throws KeytrustException the signer's errors
   */
  static X509CertificateHolder create(PkinitSigner signer, String upn, Instant now, SecureRandom random)
      throws KeytrustException {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, upn).build();
    byte[] serial = new byte[16];
    random.nextBytes(serial);
    ASN1EncodableVector upnName = new ASN1EncodableVector();
    upnName.add(PkinitOids.MS_UPN_SAN);
    upnName.add(new DERTaggedObject(true, 0, new DERUTF8String(upn)));
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(subject,
        new BigInteger(1, serial), Date.from(now.minus(BACKDATE)), Date.from(now.plus(LIFETIME)),
        subject, SubjectPublicKeyInfo.getInstance(signer.publicKey().getEncoded()));
    try {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.otherName, new DERSequence(upnName))));
    } catch (IOException e) {
      throw new KeytrustBugException("encoding a certificate extension failed", e);
    }
    try {
      return builder.build(new PkinitContentSigner(signer));
    } catch (SignerFailure e) {
      throw e.unwrap();
    }
  }
}
