package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.Selector;

/**
 * The KDC's PA-PK-AS-REP in Diffie-Hellman mode (RFC 4556 section 3.2.3.1), checked: a DHRepInfo
 * whose CMS SignedData (id-pkinit-DHKeyData) is signed by a trusted KDC certificate ({@link
 * KdcTrust}) over a KDCDHKeyInfo echoing the PKAuthenticator's nonce. Only then is the KDC's DH
 * public value used.
 *
 * @param kdcPublicValue the KDC's DH public value
 * @param serverDhNonce the KDC's DH nonce (only when the client sent one; keytrust does not)
 * @param kdcCertificate the certificate that signed the reply
 */
record KdcDhReply(BigInteger kdcPublicValue, Optional<byte[]> serverDhNonce,
    X509Certificate kdcCertificate) {

  /**
   * Reads and checks {@code paPkAsRep}.
   *
   * @throws AgentException KINIT_KDC_REPLY_INVALID (malformed, bad signature, wrong nonce, RSA
   *     key transport instead of DH), or {@link KdcTrust#check}'s refusals
   */
  static KdcDhReply verify(byte[] paPkAsRep, long expectedNonce, KdcTrust trust, Instant now,
      String realm, KdcAddress kdc) throws AgentException {
    ASN1TaggedObject choice;
    try {
      choice = ASN1TaggedObject.getInstance(ASN1Primitive.fromByteArray(paPkAsRep));
    } catch (IOException | IllegalArgumentException e) {
      throw invalid(kdc, "its PA-PK-AS-REP is not DER");
    }
    if (choice.getTagNo() != 0) {
      throw invalid(kdc, "it answered with RSA key transport (encKeyPack), which was not asked for");
    }
    byte[] signedData;
    Optional<byte[]> serverNonce = Optional.empty();
    try {
      ASN1Sequence dhRepInfo = ASN1Sequence.getInstance(choice.getExplicitBaseObject());
      signedData = null;
      for (ASN1Encodable f : dhRepInfo) {
        ASN1TaggedObject t = ASN1TaggedObject.getInstance(f);
        if (t.getTagNo() == 0) {
          signedData = ASN1OctetString.getInstance(t, false).getOctets();
        } else if (t.getTagNo() == 1) {
          serverNonce = Optional.of(ASN1OctetString.getInstance(t, true).getOctets());
        } else if (t.getTagNo() == 2) {
          throw invalid(kdc, "it chose a key derivation function (RFC 8636), which was not offered");
        }
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw invalid(kdc, "its DHRepInfo is malformed");
    }
    if (signedData == null) {
      throw invalid(kdc, "its DHRepInfo has no dhSignedData");
    }

    CMSSignedData cms;
    try {
      cms = new CMSSignedData(signedData);
    } catch (CMSException | RuntimeException e) {
      throw invalid(kdc, "its dhSignedData is no CMS SignedData");
    }
    if (!PkinitOids.DH_KEY_DATA.getId().equals(cms.getSignedContentTypeOID())) {
      throw invalid(kdc, "its signed content is " + cms.getSignedContentTypeOID()
          + ", not id-pkinit-DHKeyData");
    }
    Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
    if (signers.size() != 1) {
      throw invalid(kdc, "its reply has " + signers.size() + " signers, not one");
    }
    SignerInformation signer = signers.iterator().next();
    @SuppressWarnings("unchecked")
    Collection<X509CertificateHolder> matching =
        cms.getCertificates().getMatches((Selector<X509CertificateHolder>) signer.getSID());
    if (matching.isEmpty()) {
      throw invalid(kdc, "its reply does not carry the certificate that signed it");
    }
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    X509Certificate kdcCert;
    List<X509Certificate> others = new ArrayList<>();
    try {
      X509CertificateHolder holder = matching.iterator().next();
      kdcCert = converter.getCertificate(holder);
      for (X509CertificateHolder h : cms.getCertificates().getMatches(null)) {
        if (!h.equals(holder)) {
          others.add(converter.getCertificate(h));
        }
      }
    } catch (CertificateException e) {
      throw invalid(kdc, "a certificate in its reply does not decode");
    }

    trust.check(kdcCert, others, now, realm, kdc);

    try {
      if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(kdcCert))) {
        throw invalid(kdc, "the signature over its DH key data does not verify");
      }
    } catch (CMSException | OperatorCreationException | RuntimeException e) {
      throw invalid(kdc, "the signature over its DH key data does not verify");
    }

    byte[] content = (byte[]) cms.getSignedContent().getContent();
    BigInteger y;
    long nonce;
    try {
      ASN1Sequence info = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(content));
      ASN1BitString key = null;
      Long n = null;
      for (ASN1Encodable f : info) {
        ASN1TaggedObject t = ASN1TaggedObject.getInstance(f);
        if (t.getTagNo() == 0) {
          key = ASN1BitString.getInstance(t, true);
        } else if (t.getTagNo() == 1) {
          n = ASN1Integer.getInstance(t, true).longValueExact();
        }
      }
      if (key == null || n == null) {
        throw invalid(kdc, "its KDCDHKeyInfo lacks the public value or the nonce");
      }
      y = ASN1Integer.getInstance(ASN1Primitive.fromByteArray(key.getOctets())).getPositiveValue();
      nonce = n;
    } catch (IOException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
      throw invalid(kdc, "its KDCDHKeyInfo is malformed");
    }
    if (nonce != expectedNonce) {
      throw invalid(kdc, "its signed DH key data answers another request (nonce " + nonce
          + ", expected " + expectedNonce + ")");
    }
    return new KdcDhReply(y, serverNonce, kdcCert);
  }

  static AgentException invalid(KdcAddress kdc, String why) {
    return new AgentException(AgentErrorCode.KINIT_KDC_REPLY_INVALID, "The KDC at " + kdc
        + " sent a PKINIT reply that does not verify: " + why + ". The reply was refused and not used.");
  }
}
