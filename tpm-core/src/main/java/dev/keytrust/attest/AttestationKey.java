package dev.keytrust.attest;

import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmKeyType;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An activated attestation key: its TPM blobs (wrapped by the storage root key, useless outside
 * the TPM that made it; its auth value is empty), the AIK certificate path the attestation CA
 * issued, and the EK certificate's issuer. Holds nothing secret. Immutable.
 *
 * @param type the AK's algorithm (and the SRK it lives under)
 * @param key the AK's blobs
 * @param aikCertificatePath the AIK certificate first, then the CA's chain
 * @param ekIssuer the issuer of the EK certificate the activation went through
 * @param activatedAt when the AIK certificate was issued
 */
public record AttestationKey(
    TpmKeyType type, LoadableKey key, List<X509Certificate> aikCertificatePath, String ekIssuer, Instant activatedAt) {
  public AttestationKey {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(key, "key");
    aikCertificatePath = List.copyOf(aikCertificatePath);
    if (aikCertificatePath.isEmpty()) {
      throw new IllegalArgumentException("an attestation key needs its AIK certificate");
    }
    Objects.requireNonNull(ekIssuer, "ekIssuer");
    Objects.requireNonNull(activatedAt, "activatedAt");
  }

  public X509Certificate aikCertificate() {
    return aikCertificatePath.get(0);
  }

  /** The AIK certificate's issuer (the attestation CA), for status messages. */
  public String aikIssuer() {
    return aikCertificate().getIssuerX500Principal().getName();
  }
}
