package dev.keytrust.agent.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Makes the real KDC's AS-REP look as if another KDC certificate had signed it: the KDCDHKeyInfo
 * the KDC signed (its DH value and the nonce) is signed again with {@code kdc}'s key and certificate,
 * and the AS-REP is rebuilt around the new PA-PK-AS-REP. Everything else (ticket, enc-part) is the
 * KDC's, so a client that accepted the certificate would get a working TGT; other replies (errors)
 * pass unchanged.
 */
final class ReplyResigner implements UnaryOperator<byte[]> {
  private static final ASN1ObjectIdentifier DH_KEY_DATA = new ASN1ObjectIdentifier("1.3.6.1.5.2.3.2");

  private final TestKdcPki.Kdc kdc;

  ReplyResigner(TestKdcPki.Kdc kdc) {
    this.kdc = kdc;
  }

  @Override
  public byte[] apply(byte[] reply) {
    try {
      ASN1TaggedObject app = (ASN1TaggedObject) ASN1Primitive.fromByteArray(reply);
      if (app.getTagClass() != BERTags.APPLICATION || app.getTagNo() != 11) {
        return reply; // a KRB-ERROR
      }
      ASN1Sequence rep = (ASN1Sequence) app.getBaseUniversal(true, BERTags.SEQUENCE);
      ASN1EncodableVector fields = new ASN1EncodableVector();
      for (ASN1Encodable f : rep) {
        ASN1TaggedObject t = (ASN1TaggedObject) f;
        fields.add(t.getTagNo() == 2 ? new DERTaggedObject(true, 2, padata(t.getExplicitBaseObject()))
            : t);
      }
      return new DERTaggedObject(true, BERTags.APPLICATION, 11, new DERSequence(fields))
          .getEncoded(ASN1Encoding.DER);
    } catch (Exception e) {
      throw new IllegalStateException("re-signing the KDC reply failed", e);
    }
  }

  private ASN1Encodable padata(ASN1Encodable methodData) throws Exception {
    ASN1EncodableVector out = new ASN1EncodableVector();
    for (ASN1Encodable e : ASN1Sequence.getInstance(methodData)) {
      ASN1Sequence entry = ASN1Sequence.getInstance(e);
      int type = ASN1Integer.getInstance(((ASN1TaggedObject) entry.getObjectAt(0)).getExplicitBaseObject())
          .intValueExact();
      if (type != 17) {
        out.add(entry);
        continue;
      }
      byte[] value = ASN1OctetString.getInstance(((ASN1TaggedObject) entry.getObjectAt(1))
          .getExplicitBaseObject()).getOctets();
      ASN1EncodableVector v = new ASN1EncodableVector();
      v.add(new DERTaggedObject(true, 1, new ASN1Integer(17)));
      v.add(new DERTaggedObject(true, 2, new DEROctetString(resign(value))));
      out.add(new DERSequence(v));
    }
    return new DERSequence(out);
  }

  /** PA-PK-AS-REP [0] DHRepInfo { dhSignedData [0] IMPLICIT }, signed again. */
  private byte[] resign(byte[] paPkAsRep) throws Exception {
    ASN1TaggedObject choice = (ASN1TaggedObject) ASN1Primitive.fromByteArray(paPkAsRep);
    ASN1Sequence dhRepInfo = ASN1Sequence.getInstance(choice.getExplicitBaseObject());
    byte[] signedData = ASN1OctetString.getInstance((ASN1TaggedObject) dhRepInfo.getObjectAt(0), false)
        .getOctets();
    byte[] content = (byte[]) new CMSSignedData(signedData).getSignedContent().getContent();
    CMSSignedDataGenerator g = new CMSSignedDataGenerator();
    g.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
        new JcaDigestCalculatorProviderBuilder().build()).build(
        new JcaContentSignerBuilder("SHA256withRSA").build(kdc.keys().getPrivate()),
        kdc.certificate()));
    g.addCertificate(new JcaX509CertificateHolder(kdc.certificate()));
    byte[] resigned = g.generate(new CMSProcessableByteArray(DH_KEY_DATA, content), true)
        .toASN1Structure().getEncoded(ASN1Encoding.DER);
    ASN1EncodableVector info = new ASN1EncodableVector();
    info.add(new DERTaggedObject(false, 0, new DEROctetString(resigned)));
    for (int i = 1; i < dhRepInfo.size(); i++) {
      info.add(dhRepInfo.getObjectAt(i));
    }
    try {
      return new DERTaggedObject(true, 0, new DERSequence(info)).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
