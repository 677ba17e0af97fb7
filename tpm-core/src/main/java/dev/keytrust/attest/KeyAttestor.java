package dev.keytrust.attest;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.TpmCommandException;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.AttestationCommands;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TPM's side of key attestation: enrolls an attestation key with an attestation CA (EK
 * certificate, AK creation, credential activation) and certifies user keys with it.
 */
public final class KeyAttestor {
  private static final Logger LOG = LoggerFactory.getLogger(KeyAttestor.class);

  private final AttestationCommands tpm;
  private final Clock clock;

  /** Uses, but does not own, the session. */
  public KeyAttestor(TpmSession session, Clock clock) {
    this.tpm = new AttestationCommands(Objects.requireNonNull(session, "session"));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The EK of {@code type} with its certificate, checked to match ({@link EndorsementKey#read}). */
  public EndorsementKey endorsementKey(TpmKeyType type) throws KeytrustException {
    return EndorsementKey.read(tpm, type);
  }

  /**
   * Makes a new attestation key and has {@code authority} certify it: the EK certificate and the
   * AK go to the CA, the CA's credential comes back wrapped to the EK, the TPM recovers it with
   * TPM2_ActivateCredential, and the CA issues the AIK certificate for it.
   *
   * @param ekType which EK (and certificate) vouches for the TPM
   * @param akType the AK's algorithm (RSA 2048 is what WebAuthn relying parties expect)
   * @throws KeytrustException ATTEST_NO_EK_CERTIFICATE; ATTEST_ACTIVATION_FAILED when the TPM could
   *     not recover the credential; the authority's refusal
   */
  public AttestationKey enroll(TpmKeyType ekType, TpmKeyType akType, AttestationAuthority authority)
      throws KeytrustException {
    EndorsementKey ek = endorsementKey(ekType);
    LoadableKey ak = tpm.createAttestationKey(akType);
    AttestationAuthority.Challenge challenge = authority.challenge(ek, ak.publicArea());
    List<X509Certificate> path;
    try (SecretBuffer credential = activate(ak, ekType, challenge, authority)) {
      path = authority.activate(challenge.id(), credential);
    }
    if (path.isEmpty() || !Arrays.equals(path.get(0).getPublicKey().getEncoded(),
        TpmtPublic.parse(ak.publicArea()).publicKey().getEncoded())) {
      throw new KeytrustException(CoreErrorCode.ATTEST_ACTIVATION_FAILED,
          "The attestation CA " + authority.describe() + " returned an AIK certificate for another key than the "
              + "attestation key it was asked to certify.");
    }
    LOG.info("attestation key enrolled: AIK certificate from {} (EK certificate from {})",
        path.get(0).getIssuerX500Principal().getName(), ek.issuer());
    return new AttestationKey(akType, ak, path, ek.issuer(), clock.instant());
  }

  private SecretBuffer activate(LoadableKey ak, TpmKeyType ekType, AttestationAuthority.Challenge challenge,
      AttestationAuthority authority) throws KeytrustException {
    try {
      return tpm.activateCredential(ak, ekType, challenge.credentialBlob(), challenge.encryptedSecret());
    } catch (TpmCommandException e) {
      throw new KeytrustException(CoreErrorCode.ATTEST_ACTIVATION_FAILED,
          "The TPM could not recover the attestation CA's credential (" + e.getMessage() + "): the challenge from "
              + authority.describe() + " was not made for this TPM's endorsement key and attestation key.", e);
    }
  }

  /**
   * TPM2_Certify of a user key by the attestation key, with {@code nonce} as qualifyingData.
   *
   * @param keyAuth the key's auth value (for keytrust's keys derived from the PIN)
   * @throws dev.keytrust.error.WrongPinException on a wrong auth value (the TPM counts it)
   */
  public KeyAttestationStatement certify(LoadableKey key, SecretBuffer keyAuth, AttestationKey ak, byte[] nonce)
      throws KeytrustException {
    AttestationCommands.Certification c = tpm.certify(key, keyAuth, ak.key(), nonce);
    return KeyAttestationStatement.builder()
        .certifyInfo(c.certifyInfo())
        .signature(c.signature())
        .publicArea(key.publicArea())
        .aikCertificatePath(ak.aikCertificatePath());
  }
}
