package dev.keytrust.agent.kinit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;

/**
 * One PA-DATA entry ({@code padata-type [1] Int32, padata-value [2] OCTET STRING}) with its raw
 * type number, so types Apache Kerby does not know (PA-AS-FRESHNESS, 150) keep their number.
 *
 * @param type the padata-type
 * @param value the padata-value
 */
record PaEntry(int type, byte[] value) {

  PaEntry {
    value = value.clone();
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  /** The entry of {@code type} in {@code entries}, if any. */
  static Optional<PaEntry> find(List<PaEntry> entries, int type) {
    return entries.stream().filter(e -> e.type == type).findFirst();
  }

  /**
   * Reads METHOD-DATA ({@code SEQUENCE OF PA-DATA}), the e-data of KDC_ERR_PREAUTH_REQUIRED, or a
   * reply's padata.
   *
   * @throws IOException when the bytes are no METHOD-DATA
   */
  static List<PaEntry> readMethodData(byte[] der) throws IOException {
    try {
      ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
      List<PaEntry> out = new ArrayList<>();
      for (ASN1Encodable e : seq) {
        ASN1Sequence entry = ASN1Sequence.getInstance(e);
        int type = -1;
        byte[] value = null;
        for (ASN1Encodable f : entry) {
          ASN1TaggedObject t = ASN1TaggedObject.getInstance(f);
          if (t.getTagNo() == 1) {
            type = ASN1Integer.getInstance(t, true).intValueExact();
          } else if (t.getTagNo() == 2) {
            value = ASN1OctetString.getInstance(t, true).getOctets();
          }
        }
        if (type < 0 || value == null) {
          throw new IOException("PA-DATA without type or value");
        }
        out.add(new PaEntry(type, value));
      }
      return out;
    } catch (IllegalArgumentException | ArithmeticException | ClassCastException e) {
      throw new IOException("not METHOD-DATA: " + e.getMessage(), e);
    }
  }
}
