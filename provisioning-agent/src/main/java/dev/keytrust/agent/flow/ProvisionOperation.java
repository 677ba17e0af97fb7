package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.flow.FlowEvents.Done;
import dev.keytrust.agent.flow.Journal.JournalKey;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.records.UserLock;
import dev.keytrust.agent.records.UserRecords;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.secret.Pin;
import dev.keytrust.store.OwnerOnlyFiles.Durability;
import java.util.Optional;

/** {@link ProvisioningFlow#run}: provisioning, or finishing an interrupted one. */
final class ProvisionOperation {
  private final ProvisioningFlow flow;
  private final LostKeyReplacement replacement;

  ProvisionOperation(ProvisioningFlow flow) {
    this.flow = flow;
    this.replacement = new LostKeyReplacement(flow);
  }

  @SuppressWarnings("try") // the lock is held for the whole run, never referenced
  ProvisioningResult run(String user) throws KeytrustException {
    FlowRun run = new FlowRun(flow, user, FlowOperation.PROVISION);
    try (UserLock lock = new UserRecords(flow.store()).lock(user)) {
      Optional<Journal> found = flow.records().journal(user);
      Optional<KeyContainer> key = flow.store().find(user);
      Journal journal = found.orElse(null);
      if (journal != null && journal.inProgress() && journal.operation() != FlowOperation.PROVISION) {
        throw FlowErrors.otherPending(user, journal);
      }
      if (journal == null && key.isPresent()) {
        journal = rebuiltJournal(run, key.get()).orElse(null);
      }
      RegisteredKey lost = null; // the registration of a key the TPM lost, which this run replaces
      if (journal != null && !journal.inProgress()) {
        lost = replacement.lost(run, journal, key);
        if (lost == null) {
          return alreadyProvisioned(run, journal, key);
        }
        journal = null; // provisioned anew; the journal is written once the prerequisites pass
      } else if (journal != null && journal.old() != null) {
        lost = journal.old(); // an interrupted replacement
      }
      boolean replacing = lost != null && key.isPresent() && key.get().keyIdHex().equals(lost.keyIdHex());
      if (key.isPresent() && !replacing && (journal == null || journal.state() == JournalState.STARTED)) {
        throw FlowErrors.foreignKey(user, key.get());
      }
      if (key.isPresent() && journal != null && journal.key() != null
          && !journal.key().keyIdHex().equals(key.get().keyIdHex())) {
        throw FlowErrors.foreignKey(user, key.get());
      }
      boolean resumed = journal != null;
      run.resumeFrom(journal);
      key = run.cleanup(key, JournalState.STARTED);

      EffectivePolicy policy = steps(run).policy();
      steps(run).prerequisites(policy);
      if (run.journal() == null) {
        // not forced: nothing exists yet that a rerun would have to know about after a power cut (a
        // lost key this run replaces is still in the store, and found again)
        run.save(Journal.start(FlowOperation.PROVISION, JournalState.STARTED, run.runId(), run.now()).withOld(lost)
            .to(JournalState.STARTED, run.runId(), run.now(), StepId.PREREQUISITES), Durability.ATOMIC);
      }
      steps(run).mfa();
      if (run.journal().old() != null) {
        key = replacement.replace(run, key);
      }

      KeyContainer k;
      AttestStep attest = new AttestStep(flow, user);
      Optional<AttestStep.Prepared> attestation;
      KeyRegistration registration;
      if (key.isPresent()) {
        steps(run).skipPin();
        k = steps(run).reuseKey(key.get());
        attestation = attest.withoutPin(k);
        registration = steps(run).credential(k);
      } else {
        PinHistory history = flow.history(user);
        try (Pin pin = steps(run).newPin(policy, history)) {
          KeyStep.Output made = steps(run).createPendingKey(policy, pin);
          k = made.key();
          // before the journal names the key: a resumed run reuses it and never has the PIN (see
          // ProvisioningFlow)
          history.record(pin, policy.pinPolicy(), Durability.ATOMIC);
          attestation = attest.prepare(k, pin);
          registration = steps(run).credential(k, new JournalKey(k.keyIdHex(), k.algorithm(), made.choice()));
        }
      }
      RegistrationReceipt receipt = steps(run).register(registration, false);
      RegisteredKey registered = steps(run).recordReceipt(registration, receipt, Durability.ATOMIC);
      run.save(run.journal().to(JournalState.DONE, run.runId(), run.now(), StepId.RECEIPT), Durability.ATOMIC);
      attest.finish(attestation, registration);
      return run.result(ProvisioningResult.Outcome.PROVISIONED, k.keyIdHex(), run.journal().key().choice(),
          registered, resumed);
    }
  }

  private ProvisioningResult alreadyProvisioned(FlowRun run, Journal done, Optional<KeyContainer> key)
      throws KeytrustException {
    String user = run.user();
    if (key.isEmpty()) {
      throw FlowErrors.keyMissing(user, done.key() == null ? "(unknown)" : done.key().keyIdHex());
    }
    if (done.key() == null || !done.key().keyIdHex().equals(key.get().keyIdHex())) {
      throw FlowErrors.foreignKey(user, key.get());
    }
    Optional<RegisteredKey> receipt = flow.records().receipt(user);
    RegisteredKey registered = receipt.orElse(done.registered());
    if (receipt.isEmpty() && registered != null) {
      run.events().run(StepId.CLEANUP, () -> {
        flow.records().writeReceipt(user, registered);
        return Done.succeeded(null, "the receipt of key " + registered.keyIdHex() + " was missing; written again"
            + " from the journal");
      });
    }
    return run.result(ProvisioningResult.Outcome.ALREADY_PROVISIONED, done.key().keyIdHex(), done.key().choice(),
        registered, false);
  }

  /**
   * The journal of a provisioned user whose journal was deleted (after it was damaged, as its message
   * advises): when the key in the store is the key the registration receipt names, the user is
   * provisioned, and the journal is written again from the two. Otherwise empty.
   */
  private Optional<Journal> rebuiltJournal(FlowRun run, KeyContainer key) throws KeytrustException {
    Optional<RegisteredKey> receipt = flow.records().receipt(run.user());
    if (receipt.isEmpty() || !receipt.get().keyIdHex().equals(key.keyIdHex())) {
      return Optional.empty();
    }
    RegisteredKey r = receipt.get();
    Journal rebuilt = Journal.start(FlowOperation.PROVISION, JournalState.DONE, run.runId(), run.now())
        .withKey(new Journal.JournalKey(key.keyIdHex(), key.algorithm(), new KeyChoice(key.provider(),
            key.provider().id() + " key, as recorded in the key store (journal rebuilt from the receipt)")))
        .withRegistration(r.registration())
        .withReceipt(r.receipt())
        .to(JournalState.DONE, run.runId(), run.now(), StepId.CLEANUP);
    run.events().run(StepId.CLEANUP, () -> {
      flow.records().write(run.user(), rebuilt);
      return Done.succeeded(null, "the journal was missing; key " + key.keyIdHex() + " is the key the receipt"
          + " names (registered at " + r.receipt().endpoint() + "), so the journal is written again from them");
    });
    return Optional.of(rebuilt);
  }

  private FlowSteps steps(FlowRun run) {
    return new FlowSteps(flow, run);
  }
}
