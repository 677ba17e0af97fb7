package dev.keytrust.agent.endpoint;

import dev.keytrust.attest.AttestationAuthority;
import dev.keytrust.attest.KeyAttestationStatement;
import dev.keytrust.error.KeytrustException;

/**
 * The key attestation an endpoint offers (its attestation CA): credential activation of the
 * device's attestation key ({@link AttestationAuthority}), nonces, and the verification of a
 * registered key's TPM2_Certify. {@link KeyRegistrationEndpoint#attestation()} gives it.
 */
public interface KeyAttestationService extends AttestationAuthority {

  /** What the endpoint's settings ask for ({@link AttestationMode#PREFERRED} or {@link AttestationMode#REQUIRED}). */
  AttestationMode mode();

  /** A fresh, single-use nonce from the attestation CA, to certify the key with. */
  byte[] nonce() throws KeytrustException;

  /**
   * What the attestation CA established.
   *
   * @param aikIssuer the issuer of the AIK certificate
   * @param ekIssuer the issuer of the EK certificate the AK was activated through
   * @param tpm the TPM's manufacturer, model and version
   */
  record Verdict(String aikIssuer, String ekIssuer, String tpm) {}

  /**
   * Sends the attestation of a registered key (made with {@link #nonce()}); the CA records the
   * registration as attested.
   *
   * @throws KeytrustException DRS_ATTESTATION_REFUSED with the CA's step and reason
   */
  Verdict submit(KeyRegistration registration, KeyAttestationStatement statement, byte[] nonce)
      throws KeytrustException;
}
