package dev.keytrust.agent.kinit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;

/** Reading the Kerberos structures keytrust parses itself with Bouncy Castle's ASN.1. */
final class KerberosAsn1 {
  private KerberosAsn1() {}

  /** The fields of a SEQUENCE of explicitly tagged fields, by tag number. */
  static Map<Integer, ASN1Primitive> fields(ASN1Encodable sequence) throws IOException {
    Map<Integer, ASN1Primitive> out = new HashMap<>();
    try {
      for (ASN1Encodable e : ASN1Sequence.getInstance(sequence)) {
        ASN1TaggedObject t = ASN1TaggedObject.getInstance(e);
        out.put(t.getTagNo(), t.getExplicitBaseObject().toASN1Primitive());
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IOException("not a SEQUENCE of tagged fields: " + e.getMessage(), e);
    }
    return out;
  }

  /** The field {@code tag}, which must be there. */
  static ASN1Primitive required(Map<Integer, ASN1Primitive> fields, int tag, String what) throws IOException {
    ASN1Primitive p = fields.get(tag);
    if (p == null) {
      throw new IOException(what + " is missing");
    }
    return p;
  }

  static int integer(ASN1Primitive p) throws IOException {
    try {
      return ASN1Integer.getInstance(p).intValueExact();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IOException("not a 32-bit INTEGER", e);
    }
  }

  static String string(ASN1Primitive p) throws IOException {
    if (p instanceof ASN1String s) {
      return s.getString();
    }
    throw new IOException("not a KerberosString");
  }

  /** PrincipalName { name-type [0], name-string [1] SEQUENCE OF KerberosString } in {@code realm}. */
  static KerberosName principal(ASN1Primitive p, String realm) throws IOException {
    Map<Integer, ASN1Primitive> f = fields(p);
    List<String> components = new ArrayList<>();
    try {
      for (ASN1Encodable s : ASN1Sequence.getInstance(required(f, 1, "name-string"))) {
        components.add(string(s.toASN1Primitive()));
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("name-string is not a SEQUENCE", e);
    }
    if (components.isEmpty()) {
      throw new IOException("a principal name without components");
    }
    return new KerberosName(integer(required(f, 0, "name-type")), components, realm);
  }
}
