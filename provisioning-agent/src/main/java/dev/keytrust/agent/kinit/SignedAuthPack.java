package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcDigestCalculatorProvider;

/**
 * PA-PK-AS-REQ (RFC 4556 section 3.2.1): the AuthPack in a CMS SignedData of type
 * id-pkinit-authData, signed by the user's key with SHA-256, carrying the on-the-fly certificate.
 */
final class SignedAuthPack {
  private SignedAuthPack() {}

  /**
   * The DER PA-PK-AS-REQ, its signing time {@code now} (the sign-in's clock, not the system's). One
   * signature by {@code signer}.
   *
   * @throws KeytrustException the signer's errors
   */
  static byte[] paPkAsReq(byte[] authPack, X509CertificateHolder certificate, PkinitSigner signer,
      Instant now) throws KeytrustException {
    byte[] contentInfo;
    try {
      AttributeTable signingTime = new AttributeTable(new Attribute(CMSAttributes.signingTime,
          new DERSet(new Time(Date.from(now)))));
      CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
      generator.addSignerInfoGenerator(new SignerInfoGeneratorBuilder(new BcDigestCalculatorProvider())
          .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(signingTime))
          .build(new PkinitContentSigner(signer), certificate));
      generator.addCertificate(certificate);
      contentInfo = generator.generate(new CMSProcessableByteArray(PkinitOids.AUTH_DATA, authPack), true)
          .toASN1Structure().getEncoded(ASN1Encoding.DER);
    } catch (SignerFailure e) {
      throw e.unwrap();
    } catch (OperatorCreationException | CMSException | IOException e) {
      throw new KeytrustBugException("building the signed AuthPack failed", e);
    }
    try {
      // PA-PK-AS-REQ ::= SEQUENCE { signedAuthPack [0] IMPLICIT OCTET STRING, ... }
      return new DERSequence(new DERTaggedObject(false, 0, new DEROctetString(contentInfo)))
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new KeytrustBugException("encoding PA-PK-AS-REQ failed", e);
    }
  }
}
