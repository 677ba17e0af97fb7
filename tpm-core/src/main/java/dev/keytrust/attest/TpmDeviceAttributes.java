package dev.keytrust.attest;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * The TPM's identity in an EK or AIK certificate (TCG EK Credential Profile §3.2.9): the
 * subjectAltName directoryName attributes tcg-at-tpmManufacturer (2.23.133.2.1, e.g. {@code
 * id:49424D00}), tcg-at-tpmModel (2.23.133.2.2) and tcg-at-tpmVersion (2.23.133.2.3).
 *
 * @param manufacturer e.g. {@code id:00001014}
 * @param model e.g. {@code swtpm}
 * @param version e.g. {@code id:20191023}
 */
public record TpmDeviceAttributes(String manufacturer, String model, String version) {
  public static final String OID_TPM_MANUFACTURER = "2.23.133.2.1";
  public static final String OID_TPM_MODEL = "2.23.133.2.2";
  public static final String OID_TPM_VERSION = "2.23.133.2.3";
  /** tcg-kp-EKCertificate. */
  public static final String OID_EK_CERTIFICATE = "2.23.133.8.1";
  /** tcg-kp-AIKCertificate. */
  public static final String OID_AIK_CERTIFICATE = "2.23.133.8.3";

  public TpmDeviceAttributes {
    Objects.requireNonNull(manufacturer, "manufacturer");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
  }

  /** The attributes in a certificate's subjectAltName, or empty when it has none (or not all three). */
  public static Optional<TpmDeviceAttributes> of(X509Certificate certificate) {
    byte[] ext = certificate.getExtensionValue(Extension.subjectAlternativeName.getId());
    if (ext == null) {
      return Optional.empty();
    }
    try {
      ASN1Primitive inner = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets());
      String manufacturer = null;
      String model = null;
      String version = null;
      for (GeneralName n : GeneralNames.getInstance(inner).getNames()) {
        if (n.getTagNo() != GeneralName.directoryName) {
          continue;
        }
        for (RDN rdn : X500Name.getInstance(n.getName()).getRDNs()) {
          for (AttributeTypeAndValue tv : rdn.getTypesAndValues()) {
            String value = text(tv.getValue());
            ASN1ObjectIdentifier type = tv.getType();
            switch (type.getId()) {
              case OID_TPM_MANUFACTURER -> manufacturer = value;
              case OID_TPM_MODEL -> model = value;
              case OID_TPM_VERSION -> version = value;
              default -> { }
            }
          }
        }
      }
      return manufacturer == null || model == null || version == null
          ? Optional.empty()
          : Optional.of(new TpmDeviceAttributes(manufacturer, model, version));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String text(ASN1Encodable value) {
    return value instanceof ASN1String s ? s.getString() : value.toString();
  }

  @Override
  public String toString() {
    return "TPM " + manufacturer + " " + model + " " + version;
  }
}
