package dev.keytrust.agent.flow;

import dev.keytrust.agent.flow.FlowEvents.Done;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.ProviderKind;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisioning of a user whose TPM lost the key ({@link LostKey}): the provisioned key can never
 * sign again, so the run provisions anew (policy, prerequisites, MFA) and, before the new PIN and
 * key, removes the lost key's registration at its endpoint and deletes the key. The lost key's
 * registration goes into the journal ({@link Journal#old()}) before anything is removed, so a killed
 * run finishes the replacement when run again; an endpoint that cannot remove keys keeps it as
 * remaining ({@link RemainingRegistration}), as a reset does.
 */
final class LostKeyReplacement {
  private static final Logger LOG = LoggerFactory.getLogger(LostKeyReplacement.class);

  private final ProvisioningFlow flow;

  LostKeyReplacement(ProvisioningFlow flow) {
    this.flow = flow;
  }

  /**
   * For a provisioned user ({@code done}): the registration of the key the TPM lost, when it lost
   * it, else null (the key is usable, not a TPM key, the TPM cannot be asked, or the store does not
   * hold the journal's key: {@link ProvisionOperation} reports those as before).
   */
  RegisteredKey lost(FlowRun run, Journal done, Optional<KeyContainer> key) throws KeytrustException {
    if (key.isEmpty() || done.key() == null || !done.key().keyIdHex().equals(key.get().keyIdHex())
        || key.get().provider() != ProviderKind.TPM || flow.requireTpm().isSoftware()) {
      return null;
    }
    KeyContainer k = key.get();
    LostKey.Check check = LostKey.check(flow.keys(), flow.requireTpm(), k);
    if (check.state() == LostKey.State.UNKNOWN) {
      run.events().skip(StepId.KEY_CHECK, "not checked: " + check.error().getMessage() + " ["
          + check.error().code().id() + "]");
      return null;
    }
    if (check.state() != LostKey.State.LOST) {
      run.events().run(StepId.KEY_CHECK, () -> Done.succeeded(null, "key " + k.keyIdHex() + " loads in the TPM at "
          + flow.requireTpm()));
      return null;
    }
    RegisteredKey registered = flow.records().receipt(run.user()).orElse(done.registered());
    if (registered != null) {
      flow.requireEndpoint(run.user(), registered.receipt().endpoint()); // before anything is asked or changed
    }
    run.events().run(StepId.KEY_CHECK, () -> Done.succeeded(null, "key " + k.keyIdHex() + " is lost: "
        + check.error().getMessage() + " [" + check.error().code().id() + "]; it is replaced: MFA, a new PIN and"
        + " a new key, and the lost key's registration is removed"));
    LOG.warn("The TPM at {} lost the key {} of user '{}' ({}): provisioning replaces it", flow.requireTpm(),
        k.keyIdHex(), run.user(), check.error().code().id());
    return registered;
  }

  /**
   * Removes the lost key's registration (kept in the journal as {@code old}) and deletes the key,
   * then drops it from the journal. Returns the key to go on with: none.
   */
  Optional<KeyContainer> replace(FlowRun run, Optional<KeyContainer> key) throws KeytrustException {
    RegisteredKey old = run.journal().old();
    try {
      run.events().run(StepId.UNREGISTER_LOST, () -> {
        flow.requireEndpoint(run.user(), old.receipt().endpoint()).unregister(old.registration());
        return Done.succeeded(null, "removed key " + old.registration().keyIdBase64() + " at "
            + old.receipt().endpoint());
      });
    } catch (KeytrustException e) {
      if (!Removals.unsupported(e)) {
        throw e;
      }
      flow.records().addRemaining(run.user(), Removals.remaining(old.registration(), old.receipt().endpoint(), e,
          run.now()));
    }
    flow.records().deleteReceipt(run.user()); // it names the lost key
    run.stepDone(StepId.UNREGISTER_LOST);
    if (key.isPresent() && key.get().keyIdHex().equals(old.keyIdHex())) {
      run.events().run(StepId.DELETE_LOST_KEY, () -> {
        flow.store().delete(run.user());
        return Done.succeeded(null, "deleted key " + old.keyIdHex() + ", which the TPM lost");
      });
    } else {
      run.events().skip(StepId.DELETE_LOST_KEY, "key " + old.keyIdHex() + " is already gone");
    }
    run.save(run.journal().withOld(null).to(JournalState.STARTED, run.runId(), run.now(), StepId.DELETE_LOST_KEY));
    return Optional.empty();
  }
}
