package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustBugException;
import java.io.IOException;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * AuthPack (RFC 4556 section 3.2.1): the PKAuthenticator and the client's DH public value. No
 * clientDHNonce (keytrust does not reuse DH keys) and no supportedKDFs, so the reply key comes from
 * RFC 4556's octetstring2key.
 */
final class AuthPack {
  private AuthPack() {}

  /** The DER AuthPack, the eContent of the signed id-pkinit-authData. */
  static byte[] encode(PkAuthenticator authenticator, byte[] clientPublicValue) {
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new DERTaggedObject(true, 0, authenticator.toAsn1()));
    v.add(new DERTaggedObject(true, 1, SubjectPublicKeyInfo.getInstance(clientPublicValue)));
    try {
      return new DERSequence(v).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new KeytrustBugException("encoding the AuthPack failed", e);
    }
  }
}
