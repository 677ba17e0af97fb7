package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
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

  ProvisionOperation(ProvisioningFlow flow) {
    this.flow = flow;
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
      if (journal != null && !journal.inProgress()) {
        return alreadyProvisioned(run, journal, key);
      }
      if (key.isPresent() && (journal == null || journal.state() == JournalState.STARTED)) {
        throw FlowErrors.foreignKey(user, key.get());
      }
      if (key.isPresent() && journal.key() != null && !journal.key().keyIdHex().equals(key.get().keyIdHex())) {
        throw FlowErrors.foreignKey(user, key.get());
      }
      boolean resumed = journal != null;
      run.resumeFrom(journal);
      key = run.cleanup(key, JournalState.STARTED);

      EffectivePolicy policy = steps(run).policy();
      steps(run).prerequisites(policy);
      if (run.journal() == null) {
        // not forced: nothing exists yet that a rerun would have to know about after a power cut
        run.save(Journal.start(FlowOperation.PROVISION, JournalState.STARTED, run.runId(), run.now())
            .to(JournalState.STARTED, run.runId(), run.now(), StepId.PREREQUISITES), Durability.ATOMIC);
      }
      steps(run).mfa();

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
          attestation = attest.prepare(k, pin);
          registration = steps(run).credential(k, new JournalKey(k.keyIdHex(), k.algorithm(), made.choice()));
          // once the journal names the key (a rerun reuses it and asks no PIN): see ProvisioningFlow
          history.record(pin, policy.pinPolicy(), Durability.ATOMIC);
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
    RegisteredKey registered = flow.records().receipt(user).orElse(done.registered());
    return run.result(ProvisioningResult.Outcome.ALREADY_PROVISIONED, done.key().keyIdHex(), done.key().choice(),
        registered, false);
  }

  private FlowSteps steps(FlowRun run) {
    return new FlowSteps(flow, run);
  }
}
