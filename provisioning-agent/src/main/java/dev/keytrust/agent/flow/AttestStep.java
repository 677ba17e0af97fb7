package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.AttestationMode;
import dev.keytrust.agent.endpoint.KeyAttestationService;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.attest.AttestationKey;
import dev.keytrust.attest.KeyAttestationStatement;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.secret.Pin;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key attestation during provisioning, when the endpoint offers it and its setting {@code attest}
 * asks for it ({@link AttestationMode}). Two halves around the registration:
 *
 * <ol>
 *   <li>{@link #prepare} while the new PIN is at hand (TPM2_Certify needs the key's auth value): the
 *       user's attestation key is enrolled with the endpoint's attestation CA if the user has none
 *       (or the TPM no longer takes it), a nonce is fetched, and the key is certified with it;
 *   <li>{@link #finish} after the registration (the CA checks the certified key against the
 *       registered one): the statement is sent and the outcome recorded ({@link AttestationStatus}).
 * </ol>
 *
 * <p>A failure is recorded with its reason. With {@code attest=preferred} provisioning goes on;
 * with {@code attest=required} {@link #finish} fails with KT-1511 once the registration is recorded
 * (the key stays registered, not attested). A wrong PIN cannot happen here (the PIN was just set),
 * and a software key is never attested.
 */
final class AttestStep {
  private static final Logger LOG = LoggerFactory.getLogger(AttestStep.class);
  /** Errors after which a new attestation key is enrolled and the certification tried once more. */
  private static final Set<CoreErrorCode> STALE_AK =
      Set.of(CoreErrorCode.TPM_SRK_MISMATCH, CoreErrorCode.TPM_KEY_NOT_LOADABLE, CoreErrorCode.ATTEST_KEY_UNUSABLE);

  /** What {@link #prepare} hands {@link #finish}: a statement, or why there is none. */
  static final class Prepared {
    private final KeyAttestationService service;
    private final KeyAttestationStatement statement;
    private final byte[] nonce;
    private final String failure;

    private Prepared(KeyAttestationService service, KeyAttestationStatement statement, byte[] nonce, String failure) {
      this.service = service;
      this.statement = statement;
      this.nonce = nonce;
      this.failure = failure;
    }
  }

  private final ProvisioningFlow flow;
  private final String user;

  AttestStep(ProvisioningFlow flow, String user) {
    this.flow = flow;
    this.user = user;
  }

  private Optional<KeyAttestationService> service() throws AgentException {
    return flow.requireEndpoint(user, null).attestation();
  }

  /** The first half, with the PIN the key was just created with. Empty when the endpoint does not attest. */
  Optional<Prepared> prepare(KeyContainer key, Pin pin) throws KeytrustException {
    Optional<KeyAttestationService> found = service();
    if (found.isEmpty()) {
      return Optional.empty();
    }
    KeyAttestationService service = found.get();
    if (key.provider() != ProviderKind.TPM) {
      return Optional.of(failed(service, "a software key cannot be attested: its private key is not in a TPM"));
    }
    try (HelloKeys keys = flow.keys().open(flow.requireTpm())) {
      AttestationKey ak = keys.attestationKey(user).orElse(null);
      if (ak == null) {
        ak = keys.enrollAttestationKey(user, service);
      }
      try {
        byte[] nonce = service.nonce();
        return Optional.of(new Prepared(service, keys.certify(user, pin, ak, nonce), nonce, null));
      } catch (KeytrustException e) {
        if (!STALE_AK.contains(e.code())) {
          throw e;
        }
        LOG.info("The attestation key of user '{}' is no longer usable ({}); enrolling a new one", user,
            e.code().id());
        ak = keys.enrollAttestationKey(user, service);
        byte[] nonce = service.nonce();
        return Optional.of(new Prepared(service, keys.certify(user, pin, ak, nonce), nonce, null));
      }
    } catch (KeytrustException e) {
      LOG.warn("Key attestation for user '{}' failed before registration: {}", user, e.toString());
      return Optional.of(failed(service, e.getMessage() + " [" + e.code().id() + "]"));
    }
  }

  /** The first half when the PIN is not at hand (a resumed run reusing the key). */
  Optional<Prepared> withoutPin(KeyContainer key) throws KeytrustException {
    Optional<KeyAttestationService> found = service();
    return found.map(s -> failed(s, key.provider() != ProviderKind.TPM
        ? "a software key cannot be attested: its private key is not in a TPM"
        : "the run resumed after an interruption and the PIN (needed for TPM2_Certify) was set in the earlier run;"
            + " reset and provision again to attest a new key"));
  }

  private static Prepared failed(KeyAttestationService service, String why) {
    return new Prepared(service, null, null, why);
  }

  /**
   * The second half: sends the statement and records the outcome.
   *
   * @throws AgentException FLOW_ATTESTATION_REQUIRED when {@code attest=required} and the key was not attested
   */
  void finish(Optional<Prepared> prepared, KeyRegistration registration) throws KeytrustException {
    if (prepared.isEmpty()) {
      return;
    }
    Prepared p = prepared.get();
    String endpoint = flow.requireEndpoint(user, null).describe();
    String failure = p.failure;
    if (failure == null) {
      try {
        KeyAttestationService.Verdict v = p.service.submit(registration, p.statement, p.nonce);
        AttestationStatus.attested(registration.keyIdBase64(), endpoint, v.aikIssuer(), v.ekIssuer(), v.tpm(),
            flow.clock().instant()).write(flow.store(), user);
        return;
      } catch (KeytrustException e) {
        failure = e.getMessage() + " [" + e.code().id() + "]";
      }
    }
    AttestationStatus.notAttested(registration.keyIdBase64(), endpoint, failure, flow.clock().instant())
        .write(flow.store(), user);
    if (p.service.mode() == AttestationMode.REQUIRED) {
      throw new AgentException(AgentErrorCode.FLOW_ATTESTATION_REQUIRED,
          "The endpoint " + endpoint + " requires key attestation (attest=required) and the key of user '" + user
              + "' could not be attested: " + failure + " The key is registered but not attested: fix the cause,"
              + " then reset and provision again.");
    }
    LOG.warn("The key of user '{}' is registered but not attested (attest=preferred): {}", user, failure);
  }
}
