package dev.keytrust.agent.flow;

import dev.keytrust.agent.flow.FlowEvents.Done;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.store.OwnerOnlyFiles;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an operation for one user: its events, its journal, and the steps the operations
 * share. The journal is written at every change of state once it exists (a step that changes no
 * state is carried by the next write), and the state changes exactly
 * where {@link JournalState} says.
 */
final class FlowRun {
  private static final Logger LOG = LoggerFactory.getLogger(FlowRun.class);

  private final ProvisioningFlow flow;
  private final String user;
  private final FlowEvents events;
  private Journal journal;

  FlowRun(ProvisioningFlow flow, String user, FlowOperation operation) {
    this.flow = flow;
    this.user = user;
    this.events = new FlowEvents(UUID.randomUUID().toString(), operation, flow.listenerFor(user));
  }

  String user() {
    return user;
  }

  FlowEvents events() {
    return events;
  }

  String runId() {
    return events.runId();
  }

  Instant now() {
    return flow.clock().instant();
  }

  Journal journal() {
    return journal;
  }

  /** Continues from {@code j} (null: nothing written yet). */
  void resumeFrom(Journal j) {
    journal = j;
  }

  /** Writes the journal, forced to disk. */
  void save(Journal j) throws KeytrustException {
    save(j, OwnerOnlyFiles.Durability.DURABLE);
  }

  /**
   * Writes the journal, forced to disk or only atomically ({@link OwnerOnlyFiles.Durability#ATOMIC}:
   * a killed process leaves this journal, a power cut may leave the one before).
   */
  void save(Journal j, OwnerOnlyFiles.Durability durability) throws KeytrustException {
    flow.records().write(user, j, durability);
    journal = j;
  }

  /**
   * Takes {@code j} as the journal without writing it: the next {@link #save} writes it (or a
   * later state), and until then the journal on disk is the one before.
   */
  void advance(Journal j) {
    journal = j;
  }

  /** Moves the journal to {@code state}, recording {@code step} as the last step that ended. */
  void move(JournalState state, StepId step) throws KeytrustException {
    save(journal.to(state, runId(), now(), step));
  }

  /**
   * After a step that changes no state: records it as the last one, when there is a journal. Not
   * written by itself: the journal's next write (the next change of state) carries it, so a run
   * killed before that shows the last step that changed the state; what a rerun does depends on
   * the state alone.
   */
  void stepDone(StepId step) {
    if (journal != null) {
      journal = journal.to(journal.state(), runId(), now(), step);
    }
  }

  ProvisioningResult result(ProvisioningResult.Outcome outcome, String keyIdHex, KeyChoice choice,
      RegisteredKey registration, boolean resumed) {
    return new ProvisioningResult(runId(), events.operation(), user, outcome, keyIdHex, choice, registration,
        resumed, events.events());
  }

  // ---- cleanup after an interrupted run --------------------------------------------------------

  /**
   * Brings the store in line with the journal before the steps run: a key found in {@link
   * JournalState#KEY_PENDING} came from the interrupted run and is deleted (its PIN was never
   * confirmed to the user as set); a key the journal names but the store lost is dropped from the
   * journal, after removing its registration if it may have been sent. Emits {@link
   * StepId#CLEANUP} only when there is something to do.
   *
   * @param key the key the store holds
   * @param restart the state to go back to when the key is dropped
   * @return the key to continue with (empty when a new one must be made)
   */
  Optional<KeyContainer> cleanup(Optional<KeyContainer> key, JournalState restart) throws KeytrustException {
    if (journal == null) {
      return key;
    }
    if (journal.state() == JournalState.KEY_PENDING && key.isPresent()) {
      KeyContainer k = key.get();
      events.run(StepId.CLEANUP, () -> {
        flow.store().delete(user);
        return Done.succeeded(null, "deleted key " + k.keyIdHex() + " that the interrupted run " + journal.runId()
            + " created before it could record it; a new one is made");
      });
      LOG.info("Deleted the key {} of user '{}' left by the interrupted run {}", k.keyIdHex(), user, journal.runId());
      move(restart, StepId.CLEANUP);
      return Optional.empty();
    }
    if (journal.state().hasKey() && key.isEmpty()) {
      Journal lost = journal;
      events.run(StepId.CLEANUP, () -> {
        String detail = "the key " + lost.key().keyIdHex() + " of the interrupted run is gone from the key store";
        if (lost.state().hasCredential()) {
          flow.requireEndpoint(user, lost.receipt() == null ? null : lost.receipt().endpoint())
              .unregister(lost.registration());
          detail += "; its registration was removed";
        }
        return Done.succeeded(null, detail + "; a new key is made");
      });
      save(journal.withoutKey().to(restart, runId(), now(), StepId.CLEANUP));
      return Optional.empty();
    }
    return key;
  }

}
