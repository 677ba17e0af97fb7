package dev.keytrust.agent.kinit;

import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;

/**
 * PKAuthenticator (RFC 4556 section 3.2.1, with RFC 8070's freshnessToken): when the request was
 * made, a nonce the KDC echoes in its signed reply, SHA-1 of the KDC-REQ-BODY, and the KDC's
 * freshness token when it sent one. Apache Kerby's type has no freshnessToken, hence this one.
 *
 * @param cusec the microseconds of ctime
 * @param ctime the client's time, whole seconds
 * @param nonce 0..2^32-1, echoed in KDCDHKeyInfo
 * @param paChecksum SHA-1 over the DER KDC-REQ-BODY
 * @param freshnessToken the token from PA-AS-FRESHNESS, if the KDC sent one
 */
record PkAuthenticator(int cusec, Instant ctime, long nonce, byte[] paChecksum,
    Optional<byte[]> freshnessToken) {

  PkAuthenticator {
    paChecksum = paChecksum.clone();
    freshnessToken = freshnessToken.map(byte[]::clone);
    if (nonce < 0 || nonce > 0xFFFFFFFFL || cusec < 0 || cusec > 999_999) {
      throw new IllegalArgumentException("nonce or cusec out of range");
    }
  }

  ASN1Primitive toAsn1() {
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new DERTaggedObject(true, 0, new ASN1Integer(cusec)));
    v.add(new DERTaggedObject(true, 1, KerberosDer.time(ctime)));
    v.add(new DERTaggedObject(true, 2, new ASN1Integer(nonce)));
    v.add(new DERTaggedObject(true, 3, new DEROctetString(paChecksum)));
    freshnessToken.ifPresent(t -> v.add(new DERTaggedObject(true, 4, new DEROctetString(t))));
    return new DERSequence(v);
  }
}
