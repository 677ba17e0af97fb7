package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.key.KeyAlgorithm;
import java.time.Instant;
import java.util.Objects;

/**
 * The journal of the operation in progress for one user, as {@link FlowRecords} keeps it: the
 * record {@code journal} of format {@value FlowRecords#JOURNAL_FORMAT}. Immutable; each transition
 * makes a new one. What a state requires is checked when the journal is read back.
 *
 * @param operation what runs
 * @param state how far it got
 * @param runId the run that wrote it
 * @param updated when it was written
 * @param lastStep the last step that ended, or null
 * @param key the key, from {@link JournalState#KEY_CREATED} on, else null
 * @param registration what is (to be) registered, from {@link JournalState#CREDENTIAL_BUILT} on,
 *     else null; the KeyCredentialLink in it is the one value this operation ever registers
 * @param receipt the endpoint's receipt, from {@link JournalState#REGISTERED} on, else null
 * @param old the registration to remove (PIN change: the old key's; reset: the recorded one), or null
 */
record Journal(
    FlowOperation operation,
    JournalState state,
    String runId,
    Instant updated,
    StepId lastStep,
    JournalKey key,
    KeyRegistration registration,
    RegistrationReceipt receipt,
    RegisteredKey old) {

  /**
   * The key a journal names.
   *
   * @param keyIdHex the key id, upper-case hex, as {@link dev.keytrust.key.KeyContainer#keyIdHex()}
   * @param algorithm the key algorithm
   * @param choice the provider and why
   */
  record JournalKey(String keyIdHex, KeyAlgorithm algorithm, KeyChoice choice) {
    JournalKey {
      Objects.requireNonNull(keyIdHex, "keyIdHex");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(choice, "choice");
    }
  }

  Journal {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(updated, "updated");
  }

  /** A new journal of {@code operation} in {@code state}, holding nothing else yet. */
  static Journal start(FlowOperation operation, JournalState state, String runId, Instant now) {
    return new Journal(operation, state, runId, now, null, null, null, null, null);
  }

  /** This journal, moved to {@code next} by {@code runId} after {@code step}. */
  Journal to(JournalState next, String runId, Instant now, StepId step) {
    return new Journal(operation, next, runId, now, step, key, registration, receipt, old);
  }

  Journal withKey(JournalKey k) {
    return new Journal(operation, state, runId, updated, lastStep, k, registration, receipt, old);
  }

  Journal withRegistration(KeyRegistration r) {
    return new Journal(operation, state, runId, updated, lastStep, key, r, receipt, old);
  }

  Journal withReceipt(RegistrationReceipt r) {
    return new Journal(operation, state, runId, updated, lastStep, key, registration, r, old);
  }

  Journal withOld(RegisteredKey o) {
    return new Journal(operation, state, runId, updated, lastStep, key, registration, receipt, o);
  }

  /** Drops the key and everything built from it (the old registration stays). */
  Journal withoutKey() {
    return new Journal(operation, state, runId, updated, lastStep, null, null, null, old);
  }

  /** The registration with its receipt, once both exist. */
  RegisteredKey registered() {
    return registration != null && receipt != null ? new RegisteredKey(registration, receipt) : null;
  }

  /** True when the operation has not finished. */
  boolean inProgress() {
    return state != JournalState.DONE;
  }
}
