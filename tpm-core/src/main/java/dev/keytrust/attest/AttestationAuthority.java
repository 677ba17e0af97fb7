package dev.keytrust.attest;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.SecretBuffer;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The attestation CA's side of credential activation, as a client sees it: the agent's DRS
 * extension speaks to a remote one over HTTPS; the lab's CA serves it in-process in tests.
 */
public interface AttestationAuthority {

  /**
   * A credential activation challenge: an id and TPM2_ActivateCredential's inputs.
   *
   * @param credentialBlob TPM2B_ID_OBJECT with its size
   * @param encryptedSecret TPM2B_ENCRYPTED_SECRET with its size
   */
  record Challenge(String id, byte[] credentialBlob, byte[] encryptedSecret) {
    public Challenge {
      credentialBlob = credentialBlob.clone();
      encryptedSecret = encryptedSecret.clone();
    }

    @Override
    public byte[] credentialBlob() {
      return credentialBlob.clone();
    }

    @Override
    public byte[] encryptedSecret() {
      return encryptedSecret.clone();
    }
  }

  /** Sends the EK (certificate and public area) and the AK's public area; returns the challenge. */
  Challenge challenge(EndorsementKey ek, byte[] akPublicArea) throws KeytrustException;

  /**
   * Answers a challenge with the credential the TPM recovered.
   *
   * @return the AIK certificate, then its chain
   */
  List<X509Certificate> activate(String challengeId, SecretBuffer credential) throws KeytrustException;

  /** Who this authority is, for messages. */
  String describe();
}
