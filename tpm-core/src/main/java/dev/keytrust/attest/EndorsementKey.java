package dev.keytrust.attest;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.AttestationCommands;
import dev.keytrust.tpm.TpmKeyType;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;

/**
 * A TPM's endorsement key with its certificate: the public area re-created from the TCG template
 * and the manufacturer's certificate from NV, checked to certify that very key. Immutable.
 *
 * @param type RSA 2048 (template L-1, certificate at 0x01C00002) or ECC P-256 (L-2, 0x01C0000A)
 * @param publicArea the EK's TPMT_PUBLIC
 * @param certificate the EK certificate
 */
public record EndorsementKey(TpmKeyType type, TpmtPublic publicArea, X509Certificate certificate) {
  public EndorsementKey {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(publicArea, "publicArea");
    Objects.requireNonNull(certificate, "certificate");
  }

  /**
   * Reads the EK certificate of {@code type} from NV, re-creates the EK from its template and checks
   * that the certificate's public key is the EK's.
   *
   * @throws KeytrustException ATTEST_NO_EK_CERTIFICATE when the TPM has no certificate for this EK
   *     type, or the certificate is not for this TPM's EK
   */
  public static EndorsementKey read(AttestationCommands tpm, TpmKeyType type) throws KeytrustException {
    int index = AttestationCommands.ekCertificateIndex(type);
    byte[] der = tpm.readEkCertificate(type).orElseThrow(() -> new KeytrustException(
        CoreErrorCode.ATTEST_NO_EK_CERTIFICATE, String.format(
            "This TPM has no %s EK certificate (NV index 0x%08X is not defined). Without it nobody can tell "
                + "the TPM is genuine: use the other EK type, or have the manufacturer's certificate installed.",
            type.id(), index)));
    X509Certificate cert;
    try {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(trimDer(der)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new KeytrustException(CoreErrorCode.ATTEST_NO_EK_CERTIFICATE, String.format(
          "The EK certificate at NV 0x%08X does not parse as X.509: %s", index, e.getMessage()), e);
    }
    TpmtPublic ek = TpmtPublic.parse(tpm.endorsementKeyPublic(type));
    if (!Arrays.equals(ek.publicKey().getEncoded(), cert.getPublicKey().getEncoded())) {
      throw new KeytrustException(CoreErrorCode.ATTEST_NO_EK_CERTIFICATE, String.format(
          "The certificate at NV 0x%08X is not for this TPM's %s endorsement key (re-created from the TCG "
              + "template): it cannot vouch for this TPM.", index, type.id()));
    }
    return new EndorsementKey(type, ek, cert);
  }

  /** NV areas are sometimes larger than the certificate and padded: the DER SEQUENCE's own length. */
  static byte[] trimDer(byte[] der) {
    if (der.length < 4 || der[0] != 0x30) {
      return der;
    }
    int len = der[1] & 0xFF;
    int header = 2;
    if ((len & 0x80) != 0) {
      int n = len & 0x7F;
      if (n < 1 || n > 3 || der.length < 2 + n) {
        return der;
      }
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (der[2 + i] & 0xFF);
      }
      header = 2 + n;
    }
    return header + len <= der.length ? Arrays.copyOf(der, header + len) : der;
  }

  /** Who issued the EK certificate (the TPM manufacturer's CA), for status messages. */
  public String issuer() {
    return certificate.getIssuerX500Principal().getName();
  }
}
