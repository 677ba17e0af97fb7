package dev.keytrust.agent.kinit;

import dev.keytrust.secret.SecretBuffer;
import java.io.IOException;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.type.base.KeyUsage;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.BERTags;

/**
 * The AS-REP's encrypted part (EncASRepPart, RFC 4120 section 5.4.2): decrypted with Apache Kerby's
 * AES enctypes, read with Bouncy Castle's ASN.1. Kerby's own EncKdcRepPart is not used: it stops at
 * the encrypted-pa-data field [12] (RFC 6806) that Samba's KDC sends. [APPLICATION 25]
 * (EncASRepPart) and [APPLICATION 26] (EncTGSRepPart, what Windows sends) are both read.
 *
 * @param sessionKey the session key (the caller closes it)
 * @param nonce the nonce, which must be the request's
 * @param server srealm and sname
 * @param times the ticket's times
 * @param flags the ticket's flags
 * @param addresses caddr
 */
record ReplyEncPart(SessionKey sessionKey, long nonce, KerberosName server, TicketTimes times,
    TicketFlags flags, List<HostAddress> addresses) {

  /**
   * Decrypts {@code reply}'s enc-part with the reply key (key usage 3) and reads it.
   *
   * @throws IOException when it does not decrypt (the integrity check fails) or is malformed
   */
  static ReplyEncPart decrypt(AsReply reply, byte[] replyKey) throws IOException {
    byte[] plain;
    try {
      plain = Enctypes.handler(reply.encEtype()).decrypt(reply.encCipher(), replyKey,
          KeyUsage.AS_REP_ENCPART.getValue());
    } catch (KrbException | IllegalArgumentException e) {
      throw new IOException("the reply's enc-part does not decrypt with the PKINIT reply key", e);
    }
    try {
      return parse(plain);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** Reads a decrypted EncASRepPart or EncTGSRepPart; {@code der} is not kept. */
  static ReplyEncPart parse(byte[] der) throws IOException {
    ASN1Primitive top;
    try {
      top = ASN1Primitive.fromByteArray(der);
    } catch (IOException | RuntimeException e) {
      throw new IOException("the reply's enc-part is not DER", e);
    }
    if (!(top instanceof ASN1TaggedObject app) || app.getTagClass() != BERTags.APPLICATION
        || (app.getTagNo() != 25 && app.getTagNo() != 26)) {
      throw new IOException("the reply's enc-part is no EncASRepPart");
    }
    Map<Integer, ASN1Primitive> f;
    try {
      f = KerberosAsn1.fields(app.getBaseUniversal(true, BERTags.SEQUENCE));
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new IOException("the reply's enc-part is no SEQUENCE", e);
    }
    Map<Integer, ASN1Primitive> key = KerberosAsn1.fields(KerberosAsn1.required(f, 0, "key"));
    int keyType = KerberosAsn1.integer(KerberosAsn1.required(key, 0, "keytype"));
    if (!(KerberosAsn1.required(key, 1, "keyvalue") instanceof ASN1OctetString keyValue)) {
      throw new IOException("keyvalue is not an OCTET STRING");
    }
    long nonce;
    try {
      nonce = ASN1Integer.getInstance(KerberosAsn1.required(f, 2, "nonce")).longValueExact();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IOException("nonce is not an integer", e);
    }
    Instant auth = time(KerberosAsn1.required(f, 5, "authtime"));
    TicketTimes times = new TicketTimes(auth,
        f.containsKey(6) ? time(f.get(6)) : auth,
        time(KerberosAsn1.required(f, 7, "endtime")),
        f.containsKey(8) ? Optional.of(time(f.get(8))) : Optional.empty());
    String srealm = KerberosAsn1.string(KerberosAsn1.required(f, 9, "srealm"));
    KerberosName server = KerberosAsn1.principal(KerberosAsn1.required(f, 10, "sname"), srealm);
    TicketFlags flags = flags(KerberosAsn1.required(f, 4, "flags"));
    List<HostAddress> addresses = f.containsKey(11) ? addresses(f.get(11)) : List.of();
    // the last step: once the key is in its buffer, nothing above can fail and leave it behind
    byte[] keyBytes = keyValue.getOctets();
    SessionKey sessionKey = new SessionKey(keyType, SecretBuffer.copyOf(keyBytes));
    Arrays.fill(keyBytes, (byte) 0); // Bouncy Castle's octets are the parsed object's own array
    return new ReplyEncPart(sessionKey, nonce, server, times, flags, addresses);
  }

  private static Instant time(ASN1Primitive p) throws IOException {
    try {
      return ASN1GeneralizedTime.getInstance(p).getDate().toInstant();
    } catch (IllegalArgumentException | ParseException e) {
      throw new IOException("not a KerberosTime", e);
    }
  }

  private static TicketFlags flags(ASN1Primitive p) throws IOException {
    try {
      byte[] b = ASN1BitString.getInstance(p).getBytes();
      int bits = 0;
      for (int i = 0; i < 4; i++) {
        bits = (bits << 8) | (i < b.length ? b[i] & 0xFF : 0);
      }
      return new TicketFlags(bits);
    } catch (IllegalArgumentException e) {
      throw new IOException("flags is not a BIT STRING", e);
    }
  }

  private static List<HostAddress> addresses(ASN1Primitive p) throws IOException {
    List<HostAddress> out = new ArrayList<>();
    try {
      for (ASN1Encodable e : ASN1Sequence.getInstance(p)) {
        Map<Integer, ASN1Primitive> a = KerberosAsn1.fields(e);
        int type = KerberosAsn1.integer(KerberosAsn1.required(a, 0, "addr-type"));
        out.add(new HostAddress(type,
            ASN1OctetString.getInstance(KerberosAsn1.required(a, 1, "address")).getOctets()));
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("caddr is malformed", e);
    }
    return out;
  }
}
