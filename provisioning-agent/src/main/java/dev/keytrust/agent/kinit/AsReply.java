package dev.keytrust.agent.kinit;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.BERTags;

/**
 * An AS-REP (RFC 4120 section 5.4.2) as received: the client the KDC names, its padata, the ticket
 * (kept as the exact DER bytes the KDC sent), and the still encrypted EncASRepPart.
 *
 * @param client crealm and cname
 * @param padata the reply's PA-DATA (PA-PK-AS-REP among them)
 * @param ticket the DER Ticket
 * @param encEtype the enctype of enc-part, which is the reply key's
 * @param encCipher enc-part's cipher
 */
record AsReply(KerberosName client, List<PaEntry> padata, byte[] ticket, int encEtype, byte[] encCipher) {
  /** The DER tag byte of AS-REP, [APPLICATION 11]. */
  static final int TAG = 0x6B;

  AsReply {
    padata = List.copyOf(padata);
    ticket = ticket.clone();
    encCipher = encCipher.clone();
  }

  @Override
  public byte[] ticket() {
    return ticket.clone();
  }

  @Override
  public byte[] encCipher() {
    return encCipher.clone();
  }

  /** Reads an AS-REP. */
  static AsReply parse(byte[] der) throws IOException {
    ASN1Primitive top;
    try {
      top = ASN1Primitive.fromByteArray(der);
    } catch (IOException | RuntimeException e) {
      throw new IOException("not DER", e);
    }
    if (!(top instanceof ASN1TaggedObject app) || app.getTagClass() != BERTags.APPLICATION
        || app.getTagNo() != 11) {
      throw new IOException("not an AS-REP");
    }
    Map<Integer, ASN1Primitive> f = KerberosAsn1.fields(app.getBaseUniversal(true, BERTags.SEQUENCE));
    if (KerberosAsn1.integer(KerberosAsn1.required(f, 1, "msg-type")) != 11) {
      throw new IOException("msg-type is not AS-REP");
    }
    List<PaEntry> padata = f.containsKey(2)
        ? PaEntry.readMethodData(f.get(2).getEncoded(ASN1Encoding.DER)) : List.of();
    String crealm = KerberosAsn1.string(KerberosAsn1.required(f, 3, "crealm"));
    KerberosName client = KerberosAsn1.principal(KerberosAsn1.required(f, 4, "cname"), crealm);
    byte[] ticket = KerberosAsn1.required(f, 5, "ticket").getEncoded(ASN1Encoding.DER);
    Map<Integer, ASN1Primitive> enc = KerberosAsn1.fields(KerberosAsn1.required(f, 6, "enc-part"));
    int etype = KerberosAsn1.integer(KerberosAsn1.required(enc, 0, "etype"));
    ASN1Primitive cipher = KerberosAsn1.required(enc, 2, "cipher");
    if (!(cipher instanceof ASN1OctetString c)) {
      throw new IOException("cipher is not an OCTET STRING");
    }
    return new AsReply(client, padata, ticket, etype, c.getOctets());
  }
}
