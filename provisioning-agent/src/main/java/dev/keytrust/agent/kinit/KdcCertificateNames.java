package dev.keytrust.agent.kinit;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;

/**
 * The names in a KDC certificate's subjectAltName: id-pkinit-san principals (RFC 4556 section
 * 3.2.2, KRB5PrincipalName) and DNS names. Read with Bouncy Castle from the extension itself (the
 * JDK's {@code getSubjectAlternativeNames} re-wraps otherName values).
 *
 * @param principals the id-pkinit-san names
 * @param dnsNames the dNSName entries
 */
record KdcCertificateNames(List<KerberosName> principals, List<String> dnsNames) {

  KdcCertificateNames {
    principals = List.copyOf(principals);
    dnsNames = List.copyOf(dnsNames);
  }

  static KdcCertificateNames of(X509Certificate cert) {
    List<KerberosName> principals = new ArrayList<>();
    List<String> dns = new ArrayList<>();
    GeneralNames names;
    try {
      names = GeneralNames.fromExtensions(new JcaX509CertificateHolder(cert).getExtensions(),
          Extension.subjectAlternativeName);
    } catch (CertificateEncodingException | RuntimeException e) {
      names = null;
    }
    if (names != null) {
      for (GeneralName n : names.getNames()) {
        if (n.getTagNo() == GeneralName.dNSName) {
          dns.add(((ASN1String) n.getName()).getString());
        } else if (n.getTagNo() == GeneralName.otherName) {
          pkinitSan(n.getName()).ifPresent(principals::add);
        }
      }
    }
    return new KdcCertificateNames(principals, dns);
  }

  /** OtherName { id-pkinit-san, [0] KRB5PrincipalName { realm [0] Realm, principalName [1] } }. */
  private static Optional<KerberosName> pkinitSan(ASN1Encodable name) {
    try {
      OtherName other = OtherName.getInstance(name);
      if (!PkinitOids.PKINIT_SAN.equals(other.getTypeID())) {
        return Optional.empty();
      }
      Map<Integer, ASN1Primitive> f = KerberosAsn1.fields(other.getValue());
      String realm = KerberosAsn1.string(KerberosAsn1.required(f, 0, "realm"));
      return Optional.of(KerberosAsn1.principal(KerberosAsn1.required(f, 1, "principalName"), realm));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // not a KRB5PrincipalName: no name of ours
    }
  }

  /** For messages: the names, or "no KDC name". */
  String describe() {
    List<String> all = new ArrayList<>();
    principals.forEach(p -> all.add(p.toString()));
    dnsNames.forEach(d -> all.add("DNS " + d));
    return all.isEmpty() ? "no KDC name" : String.join(", ", all);
  }
}
