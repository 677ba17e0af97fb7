package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.flow.FlowEvents.Done;
import dev.keytrust.agent.pin.PinEntry;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.records.UserLock;
import dev.keytrust.agent.records.UserRecords;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.secret.Pin;
import dev.keytrust.tpm.TpmUri;
import java.security.SecureRandom;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ProvisioningFlow#changePin}: a new key with the new PIN replaces the old one. The old
 * registration is in the journal before the old key is deleted, and is removed only after the new
 * key is registered, so an interruption never leaves a registration nobody knows about.
 */
final class PinChangeOperation {
  private static final Logger LOG = LoggerFactory.getLogger(PinChangeOperation.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ProvisioningFlow flow;

  PinChangeOperation(ProvisioningFlow flow) {
    this.flow = flow;
  }

  @SuppressWarnings("try") // the lock is held for the whole run, never referenced
  ProvisioningResult run(String user) throws KeytrustException {
    FlowRun run = new FlowRun(flow, user, FlowOperation.PIN_CHANGE);
    try (UserLock lock = new UserRecords(flow.store()).lock(user)) {
      Journal journal = flow.records().journal(user).orElse(null);
      Optional<KeyContainer> key = flow.store().find(user);
      if (journal != null && journal.inProgress() && journal.operation() != FlowOperation.PIN_CHANGE) {
        throw FlowErrors.otherPending(user, journal);
      }
      if (journal == null || !journal.inProgress()) {
        if (journal == null) {
          if (key.isPresent()) {
            throw FlowErrors.foreignKey(user, key.get());
          }
          throw FlowErrors.notProvisioned(user);
        }
        RegisteredKey old = flow.records().receipt(user).orElseThrow(() -> FlowErrors.notProvisioned(user));
        if (key.isEmpty()) {
          throw FlowErrors.keyMissing(user, old.keyIdHex());
        }
        if (!key.get().keyIdHex().equals(old.keyIdHex())) {
          throw FlowErrors.foreignKey(user, key.get());
        }
        return withCurrentPin(run, key.get(), old, false);
      }

      run.resumeFrom(journal);
      RegisteredKey old = journal.old();
      if (journal.state() == JournalState.OLD_KEY_RECORDED) {
        if (key.isPresent() && key.get().keyIdHex().equals(old.keyIdHex())) {
          return withCurrentPin(run, key.get(), old, true);
        }
        if (key.isPresent()) {
          throw FlowErrors.foreignKey(user, key.get());
        }
        run.events().run(StepId.DELETE_OLD_KEY, () -> Done.reused(null, "the old key " + old.keyIdHex()
            + " is already gone"));
        run.move(JournalState.OLD_KEY_DELETED, StepId.DELETE_OLD_KEY);
      }
      if (key.isPresent() && run.journal().state() != JournalState.KEY_PENDING
          && (run.journal().key() == null || !run.journal().key().keyIdHex().equals(key.get().keyIdHex()))) {
        throw FlowErrors.foreignKey(user, key.get());
      }
      key = run.cleanup(key, JournalState.OLD_KEY_DELETED);
      EffectivePolicy policy = steps(run).policy();
      KeyContainer k;
      if (key.isPresent()) {
        steps(run).skipPin();
        k = steps(run).reuseKey(key.get());
      } else {
        // the old key is gone, so the current PIN cannot be checked any more: MFA stands in for it
        steps(run).mfa();
        k = newKey(run, policy);
      }
      return finish(run, k, old, true);
    }
  }

  /** The path while the old key exists: check its PIN, ask the new one, then replace the key. */
  private ProvisioningResult withCurrentPin(FlowRun run, KeyContainer current, RegisteredKey old, boolean resumed)
      throws KeytrustException {
    EffectivePolicy policy = steps(run).policy();
    PinHistory history = flow.history(run.user());
    checkCurrentPin(run, current, history);
    KeyContainer k;
    try (Pin pin = steps(run).newPin(policy, history)) {
      if (run.journal() == null || run.journal().operation() != FlowOperation.PIN_CHANGE) {
        run.save(Journal.start(FlowOperation.PIN_CHANGE, JournalState.OLD_KEY_RECORDED, run.runId(), run.now())
            .withOld(old).to(JournalState.OLD_KEY_RECORDED, run.runId(), run.now(), StepId.PIN));
      } else {
        run.stepDone(StepId.PIN);
      }
      run.events().run(StepId.DELETE_OLD_KEY, () -> {
        flow.store().delete(run.user());
        return Done.succeeded(null, "deleted key " + old.keyIdHex() + "; its registration is kept in the journal"
            + " until the new key is registered");
      });
      run.move(JournalState.OLD_KEY_DELETED, StepId.DELETE_OLD_KEY);
      k = steps(run).createKey(policy, pin, history);
    }
    return finish(run, k, old, resumed);
  }

  private KeyContainer newKey(FlowRun run, EffectivePolicy policy) throws KeytrustException {
    PinHistory history = flow.history(run.user());
    try (Pin pin = steps(run).newPin(policy, history)) {
      return steps(run).createKey(policy, pin, history);
    }
  }

  /**
   * Proves the current PIN: a signature over a random challenge with the current key, verified.
   * Then the current PIN opens the sealed PIN history, which the new PIN is checked against.
   */
  private void checkCurrentPin(FlowRun run, KeyContainer current, PinHistory history) throws KeytrustException {
    run.events().run(StepId.CURRENT_PIN, () -> {
      try (Pin pin = PinEntry.current(flow.requirePins())) {
        TpmUri uri = current.provider() == ProviderKind.SOFTWARE ? software() : flow.requireTpm();
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try (HelloKeys keys = flow.keys().open(uri)) {
          keys.sign(run.user(), challenge, pin);
        }
        history.unlock(pin);
        return Done.succeeded(null, "the current PIN unlocks key " + current.keyIdHex());
      }
    });
    run.stepDone(StepId.CURRENT_PIN);
  }

  private ProvisioningResult finish(FlowRun run, KeyContainer k, RegisteredKey old, boolean resumed)
      throws KeytrustException {
    KeyRegistration registration = steps(run).credential(k);
    RegistrationReceipt receipt = steps(run).register(registration);
    RegisteredKey registered;
    if (run.journal().state() == JournalState.RECEIPT_RECORDED) {
      registered = new RegisteredKey(registration, receipt);
      run.events().run(StepId.RECEIPT, () -> Done.reused(registered, "recorded by run " + run.journal().runId()));
    } else {
      registered = steps(run).recordReceipt(registration, receipt);
    }
    run.move(JournalState.RECEIPT_RECORDED, StepId.RECEIPT);
    try {
      run.events().run(StepId.UNREGISTER_OLD, () -> {
        flow.requireEndpoint(run.user(), old.receipt().endpoint()).unregister(old.registration());
        return Done.succeeded(null, "removed key " + old.registration().keyIdBase64() + " (registered "
            + old.receipt().registeredAt() + ")");
      });
    } catch (KeytrustException e) {
      if (!Removals.unsupported(e)) {
        throw e;
      }
      // the endpoint cannot remove keys: keep the old registration on record (status shows it, reset retries)
      flow.records().addRemaining(run.user(), Removals.remaining(old.registration(), old.receipt().endpoint(), e,
          run.now()));
      LOG.warn("The old registration of user '{}' remains at {}: {}", run.user(), old.receipt().endpoint(),
          e.getMessage());
    }
    LOG.info("PIN of user '{}' changed: key {} replaces key {}", run.user(), k.keyIdHex(), old.keyIdHex());
    run.save(run.journal().withOld(null).to(JournalState.DONE, run.runId(), run.now(), StepId.UNREGISTER_OLD));
    return run.result(ProvisioningResult.Outcome.PIN_CHANGED, k.keyIdHex(), run.journal().key().choice(), registered,
        resumed);
  }

  private static TpmUri software() {
    try {
      return TpmUri.parse(TpmUri.SOFTWARE);
    } catch (KeytrustException e) {
      throw new KeytrustBugException("the software URI does not parse", e);
    }
  }

  private FlowSteps steps(FlowRun run) {
    return new FlowSteps(flow, run);
  }
}
