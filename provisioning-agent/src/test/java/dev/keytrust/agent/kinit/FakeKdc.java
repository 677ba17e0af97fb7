package dev.keytrust.agent.kinit;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.KeyAgreement;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPublicKeySpec;
import org.apache.kerby.kerberos.kerb.crypto.EncryptionHandler;
import org.bouncycastle.asn1.ASN1BitString;
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
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERGeneralString;
import org.bouncycastle.asn1.DERGeneralizedTime;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.DomainParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A KDC in the test, written from RFC 4120/4556/8070 without keytrust's code: it answers the first
 * AS-REQ with KDC_ERR_PREAUTH_REQUIRED (PA-PK-AS-REQ and a freshness token offered, its time), and
 * a PKINIT AS-REQ with an AS-REP in DH mode signed by {@link #kdc}: it checks the client's CMS
 * signature and paChecksum, does its half of the DH exchange, derives the reply key with its own
 * octetstring2key and encrypts EncASRepPart (AES via Kerby). Fields let a test break one thing.
 */
final class FakeKdc implements KdcTransport {
  static final String REALM = "EXAMPLE.COM";
  static final byte[] FRESHNESS_TOKEN = "fresh-token-0001".getBytes();
  static final byte[] SESSION_KEY = new byte[32];

  static {
    Arrays.fill(SESSION_KEY, (byte) 0x5A);
  }

  // what the KDC does
  TestPki.Kdc kdc;
  Clock clock = Clock.systemUTC();
  boolean offerPkinit = true;
  boolean sendFreshness = true;
  /** A KRB-ERROR code for the PKINIT request instead of an AS-REP, or 0. */
  int pkinitError;
  /** A KRB-ERROR code for the probe instead of PREAUTH_REQUIRED, or 0. */
  int probeError;
  boolean tamperSignature;
  long dhNonceDelta;
  int encNonceDelta;
  int encEtype = 18;
  int encTag = 25;
  boolean encryptedPaData = true;
  String sname = "krbtgt";

  // what the KDC saw
  final List<byte[]> requests = new ArrayList<>();
  X509CertificateHolder clientCertificate;
  Map<Integer, ASN1Primitive> pkAuthenticator;
  DomainParameters dhParameters;
  byte[] requestBody;
  /** The DER Ticket of the last AS-REP. */
  byte[] ticket;
  List<Integer> requestPaTypes = new ArrayList<>();

  FakeKdc(TestPki.Kdc kdc) {
    this.kdc = kdc;
  }

  @Override
  public byte[] exchange(byte[] request) {
    requests.add(request.clone());
    try {
      Map<Integer, ASN1Primitive> req = fields(appBody(request, 10));
      requestBody = req.get(4).getEncoded(ASN1Encoding.DER);
      Map<Integer, ASN1Primitive> body = fields(req.get(4));
      int nonce = ASN1Integer.getInstance(body.get(7)).intValueExact();
      byte[] pkAsReq = null;
      requestPaTypes = new ArrayList<>();
      for (ASN1Encodable e : ASN1Sequence.getInstance(req.get(3))) {
        Map<Integer, ASN1Primitive> pa = fields(e);
        int type = ASN1Integer.getInstance(pa.get(1)).intValueExact();
        requestPaTypes.add(type);
        if (type == 16) {
          pkAsReq = ASN1OctetString.getInstance(pa.get(2)).getOctets();
        }
      }
      if (pkAsReq == null) {
        if (probeError != 0) {
          return error(probeError, null);
        }
        ASN1EncodableVector md = new ASN1EncodableVector();
        if (offerPkinit) {
          md.add(pa(16, new byte[0]));
        }
        md.add(pa(2, new byte[0]));
        if (sendFreshness) {
          md.add(pa(150, FRESHNESS_TOKEN));
        }
        return error(25, new DERSequence(md).getEncoded(ASN1Encoding.DER));
      }
      if (pkinitError != 0) {
        return error(pkinitError, null);
      }
      return asRep(pkAsReq, nonce, body);
    } catch (Exception e) {
      throw new IllegalStateException("the fake KDC could not answer", e);
    }
  }

  private byte[] asRep(byte[] pkAsReq, int bodyNonce, Map<Integer, ASN1Primitive> body) throws Exception {
    // the client's signed AuthPack
    ASN1Sequence req = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(pkAsReq));
    byte[] signedAuthPack = ASN1OctetString.getInstance((ASN1TaggedObject) req.getObjectAt(0), false).getOctets();
    CMSSignedData cms = new CMSSignedData(signedAuthPack);
    if (!"1.3.6.1.5.2.3.1".equals(cms.getSignedContentTypeOID())) {
      throw new IllegalStateException("not id-pkinit-authData");
    }
    SignerInformation signer = cms.getSignerInfos().getSigners().iterator().next();
    @SuppressWarnings("unchecked")
    X509CertificateHolder cert = (X509CertificateHolder) cms.getCertificates()
        .getMatches(signer.getSID()).iterator().next();
    if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(cert))) {
      throw new IllegalStateException("the client's signature does not verify");
    }
    clientCertificate = cert;
    Map<Integer, ASN1Primitive> authPack = fields(ASN1Primitive.fromByteArray(
        (byte[]) cms.getSignedContent().getContent()));
    pkAuthenticator = fields(authPack.get(0));
    byte[] checksum = ASN1OctetString.getInstance(pkAuthenticator.get(3)).getOctets();
    if (!Arrays.equals(checksum, MessageDigest.getInstance("SHA-1").digest(requestBody))) {
      throw new IllegalStateException("paChecksum is not SHA-1 of the request body");
    }
    long authNonce = ASN1Integer.getInstance(pkAuthenticator.get(2)).getValue().longValueExact();
    SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(authPack.get(1));
    dhParameters = DomainParameters.getInstance(spki.getAlgorithm().getParameters());
    BigInteger clientY = ASN1Integer.getInstance(spki.parsePublicKey()).getPositiveValue();

    // the KDC's half of DH, and the reply key: octetstring2key(ZZ), K-truncate over SHA-1
    DHParameterSpec group = new DHParameterSpec(dhParameters.getP(), dhParameters.getG());
    KeyPairGenerator g = KeyPairGenerator.getInstance("DH");
    g.initialize(group);
    KeyPair kdcDh = g.generateKeyPair();
    KeyAgreement ka = KeyAgreement.getInstance("DH");
    ka.init(kdcDh.getPrivate());
    ka.doPhase(KeyFactory.getInstance("DH").generatePublic(
        new DHPublicKeySpec(clientY, group.getP(), group.getG())), true);
    byte[] z = ka.generateSecret();
    byte[] replyKey = octetString2Key(z, encEtype == 17 ? 16 : 32);

    // KDCDHKeyInfo, signed by the KDC
    ASN1EncodableVector info = new ASN1EncodableVector();
    info.add(new DERTaggedObject(true, 0, new DERBitString(
        new ASN1Integer(((DHPublicKey) kdcDh.getPublic()).getY()).getEncoded(ASN1Encoding.DER))));
    info.add(new DERTaggedObject(true, 1, new ASN1Integer(authNonce + dhNonceDelta)));
    CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
    gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
        .build(new JcaContentSignerBuilder("SHA256withRSA").build(kdc.keys().getPrivate()), kdc.certificate()));
    gen.addCertificate(new JcaX509CertificateHolder(kdc.certificate()));
    byte[] signed = gen.generate(new CMSProcessableByteArray(new ASN1ObjectIdentifier("1.3.6.1.5.2.3.2"),
        new DERSequence(info).getEncoded(ASN1Encoding.DER)), true).toASN1Structure().getEncoded(ASN1Encoding.DER);
    if (tamperSignature) {
      signed[signed.length - 5] ^= 0x01; // inside the signature value, the last field
    }
    ASN1EncodableVector dhRepInfo = new ASN1EncodableVector();
    dhRepInfo.add(new DERTaggedObject(false, 0, new DEROctetString(signed)));
    byte[] paPkAsRep = new DERTaggedObject(true, 0, new DERSequence(dhRepInfo)).getEncoded(ASN1Encoding.DER);

    // EncASRepPart: Samba and Windows answer with the PKAuthenticator's nonce
    Instant now = clock.instant();
    ASN1EncodableVector key = new ASN1EncodableVector();
    key.add(new DERTaggedObject(true, 0, new ASN1Integer(18)));
    key.add(new DERTaggedObject(true, 1, new DEROctetString(SESSION_KEY)));
    ASN1EncodableVector lastReq = new ASN1EncodableVector();
    lastReq.add(new DERSequence(new ASN1Encodable[] {new DERTaggedObject(true, 0, new ASN1Integer(0)),
        new DERTaggedObject(true, 1, time(now))}));
    ASN1EncodableVector enc = new ASN1EncodableVector();
    enc.add(new DERTaggedObject(true, 0, new DERSequence(key)));
    enc.add(new DERTaggedObject(true, 1, new DERSequence(lastReq)));
    enc.add(new DERTaggedObject(true, 2, new ASN1Integer(authNonce + encNonceDelta)));
    enc.add(new DERTaggedObject(true, 4, new DERBitString(new byte[] {0x40, (byte) 0xE1, 0, 0})));
    enc.add(new DERTaggedObject(true, 5, time(now)));
    enc.add(new DERTaggedObject(true, 6, time(now)));
    enc.add(new DERTaggedObject(true, 7, time(now.plusSeconds(36000))));
    enc.add(new DERTaggedObject(true, 8, time(now.plusSeconds(7 * 86400))));
    enc.add(new DERTaggedObject(true, 9, new DERGeneralString(REALM)));
    enc.add(new DERTaggedObject(true, 10, principal(2, sname, REALM)));
    if (encryptedPaData) {
      enc.add(new DERTaggedObject(true, 12, new DERSequence(pa(149, new byte[] {1, 2}))));
    }
    byte[] plain = new DERTaggedObject(true, BERTags.APPLICATION, encTag, new DERSequence(enc))
        .getEncoded(ASN1Encoding.DER);
    byte[] cipher = EncryptionHandler.getEncHandler(encEtype).encrypt(plain, replyKey, 3);

    ASN1EncodableVector ticketEnc = new ASN1EncodableVector();
    ticketEnc.add(new DERTaggedObject(true, 0, new ASN1Integer(18)));
    ticketEnc.add(new DERTaggedObject(true, 1, new ASN1Integer(2)));
    ticketEnc.add(new DERTaggedObject(true, 2, new DEROctetString(new byte[64])));
    ASN1EncodableVector ticket = new ASN1EncodableVector();
    ticket.add(new DERTaggedObject(true, 0, new ASN1Integer(5)));
    ticket.add(new DERTaggedObject(true, 1, new DERGeneralString(REALM)));
    ticket.add(new DERTaggedObject(true, 2, principal(2, "krbtgt", REALM)));
    ticket.add(new DERTaggedObject(true, 3, new DERSequence(ticketEnc)));

    this.ticket = new DERTaggedObject(true, BERTags.APPLICATION, 1, new DERSequence(ticket))
        .getEncoded(ASN1Encoding.DER);
    ASN1EncodableVector encPart = new ASN1EncodableVector();
    encPart.add(new DERTaggedObject(true, 0, new ASN1Integer(encEtype)));
    encPart.add(new DERTaggedObject(true, 2, new DEROctetString(cipher)));
    ASN1EncodableVector rep = new ASN1EncodableVector();
    rep.add(new DERTaggedObject(true, 0, new ASN1Integer(5)));
    rep.add(new DERTaggedObject(true, 1, new ASN1Integer(11)));
    rep.add(new DERTaggedObject(true, 2, new DERSequence(pa(17, paPkAsRep))));
    rep.add(new DERTaggedObject(true, 3, new DERGeneralString(REALM)));
    rep.add(new DERTaggedObject(true, 4, principal(1, "alice", null)));
    rep.add(new DERTaggedObject(true, 5, new DERTaggedObject(true, BERTags.APPLICATION, 1, new DERSequence(ticket))));
    rep.add(new DERTaggedObject(true, 6, new DERSequence(encPart)));
    return new DERTaggedObject(true, BERTags.APPLICATION, 11, new DERSequence(rep)).getEncoded(ASN1Encoding.DER);
  }

  private byte[] error(int code, byte[] edata) throws Exception {
    Instant now = clock.instant();
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new DERTaggedObject(true, 0, new ASN1Integer(5)));
    v.add(new DERTaggedObject(true, 1, new ASN1Integer(30)));
    v.add(new DERTaggedObject(true, 4, time(now)));
    v.add(new DERTaggedObject(true, 5, new ASN1Integer(now.getNano() / 1000)));
    v.add(new DERTaggedObject(true, 6, new ASN1Integer(code)));
    v.add(new DERTaggedObject(true, 9, new DERGeneralString(REALM)));
    v.add(new DERTaggedObject(true, 10, principal(2, "krbtgt", REALM)));
    v.add(new DERTaggedObject(true, 11, new DERGeneralString("fake KDC error " + code)));
    if (edata != null) {
      v.add(new DERTaggedObject(true, 12, new DEROctetString(edata)));
    }
    return new DERTaggedObject(true, BERTags.APPLICATION, 30, new DERSequence(v)).getEncoded(ASN1Encoding.DER);
  }

  /** RFC 4556 octetstring2key without nonces: K-truncate(SHA-1(0|ZZ) | SHA-1(1|ZZ) | ...). */
  static byte[] octetString2Key(byte[] z, int length) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int counter = 0; out.size() < length; counter++) {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update((byte) counter);
      out.write(sha1.digest(z));
    }
    return Arrays.copyOf(out.toByteArray(), length);
  }

  private static DERSequence pa(int type, byte[] value) {
    return new DERSequence(new ASN1Encodable[] {new DERTaggedObject(true, 1, new ASN1Integer(type)),
        new DERTaggedObject(true, 2, new DEROctetString(value))});
  }

  private static DERSequence principal(int type, String first, String second) {
    ASN1EncodableVector names = new ASN1EncodableVector();
    names.add(new DERGeneralString(first));
    if (second != null) {
      names.add(new DERGeneralString(second));
    }
    return new DERSequence(new ASN1Encodable[] {new DERTaggedObject(true, 0, new ASN1Integer(type)),
        new DERTaggedObject(true, 1, new DERSequence(names))});
  }

  private static DERGeneralizedTime time(Instant t) {
    return new DERGeneralizedTime(DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
        .withZone(ZoneOffset.UTC).format(t));
  }

  private static ASN1Primitive appBody(byte[] der, int tag) throws Exception {
    ASN1TaggedObject app = (ASN1TaggedObject) ASN1Primitive.fromByteArray(der);
    if (app.getTagClass() != BERTags.APPLICATION || app.getTagNo() != tag) {
      throw new IllegalStateException("not [APPLICATION " + tag + "]");
    }
    return app.getBaseUniversal(true, BERTags.SEQUENCE);
  }

  static Map<Integer, ASN1Primitive> fields(ASN1Encodable seq) {
    Map<Integer, ASN1Primitive> out = new HashMap<>();
    for (ASN1Encodable e : ASN1Sequence.getInstance(seq)) {
      ASN1TaggedObject t = (ASN1TaggedObject) e;
      out.put(t.getTagNo(), t.getExplicitBaseObject().toASN1Primitive());
    }
    return out;
  }

  /** The KDC's certificate, for tests that name it. */
  X509Certificate certificate() {
    return kdc.certificate();
  }

  static SecureRandom random() {
    return new SecureRandom();
  }

}
