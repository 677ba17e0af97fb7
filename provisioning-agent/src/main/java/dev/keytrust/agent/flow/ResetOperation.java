package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowEvents.Done;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.records.UserLock;
import dev.keytrust.agent.records.UserRecords;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainerStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ProvisioningFlow#reset}: removes every registration the user's records name (the receipt,
 * and what an interrupted run may have sent), then the key, then the PIN history and the records,
 * each step journaled so a rerun finishes the job. Damaged records do not stop a reset: they are
 * removed, with a warning that a registration they named may remain.
 *
 * <p>An endpoint that cannot remove keys at all (KT-1615: a key service without keytrust's removal
 * extension) does not stop it either: the key, the PIN history and the records go, the
 * registration is kept as a {@link RemainingRegistration} (which {@code status} shows and the next
 * reset tries again), and the reset ends with FLOW_REGISTRATION_REMAINS, naming it.
 */
final class ResetOperation {
  private static final Logger LOG = LoggerFactory.getLogger(ResetOperation.class);

  private final ProvisioningFlow flow;

  ResetOperation(ProvisioningFlow flow) {
    this.flow = flow;
  }

  @SuppressWarnings("try") // the lock is held for the whole run, never referenced
  ProvisioningResult run(String user) throws KeytrustException {
    FlowRun run = new FlowRun(flow, user, FlowOperation.RESET);
    try (UserLock lock = new UserRecords(flow.store()).lock(user)) {
      Journal journal = readJournal(user);
      Optional<RegisteredKey> recorded = readReceipt(user);
      List<RemainingRegistration> before = readRemaining(user);
      boolean keyPresent = keyPresent(user);
      boolean resumed = journal != null && journal.operation() == FlowOperation.RESET;
      boolean nothing = journal == null && recorded.isEmpty() && before.isEmpty() && !keyPresent;
      List<Target> targets = targets(journal, recorded, before);
      if (!targets.isEmpty() && (!resumed || journal.state() == JournalState.RESET_STARTED)) {
        for (Target t : targets) {
          flow.requireEndpoint(user, t.endpoint()); // before anything changes
        }
      }
      if (resumed) {
        run.resumeFrom(journal);
      } else if (!nothing) {
        run.save(journal == null
            ? Journal.start(FlowOperation.RESET, JournalState.RESET_STARTED, run.runId(), run.now())
            : new Journal(FlowOperation.RESET, JournalState.RESET_STARTED, run.runId(), run.now(), null,
                journal.key(), journal.registration(), journal.receipt(), journal.old()));
      }

      if (run.journal() == null || run.journal().state() == JournalState.RESET_STARTED) {
        unregister(run, targets, before);
      } else {
        run.events().skip(StepId.UNREGISTER, "done by run " + run.journal().runId());
      }
      if (run.journal() == null || run.journal().state() != JournalState.RESET_KEY_DELETED) {
        deleteKey(run);
      } else {
        run.events().skip(StepId.DELETE_KEY, "done by run " + run.journal().runId());
      }
      List<RemainingRegistration> left = readRemaining(user);
      run.events().run(StepId.CLEAR, () -> {
        PinHistory history = flow.historyIfConfigured(user);
        if (history != null) {
          history.clear();
        }
        flow.records().deleteReceipt(user);
        flow.records().deleteJournal(user);
        return Done.succeeded(null, (history == null ? "records removed" : "PIN history and records removed")
            + (left.isEmpty() ? "" : "; " + left.size() + " registration(s) that could not be removed stay on"
                + " record"));
      });
      if (!left.isEmpty()) {
        LOG.warn("Reset user '{}' on this device, but {} registration(s) remain at {}", user, left.size(),
            left.get(0).endpoint());
        throw FlowErrors.registrationsRemain(user, left);
      }
      LOG.info("Reset user '{}'", user);
      return run.result(nothing ? ProvisioningResult.Outcome.NOTHING_TO_RESET : ProvisioningResult.Outcome.RESET,
          null, null, null, resumed);
    }
  }

  /**
   * A registration a reset removes, and the endpoint that holds it (null when the records do not
   * say: an interrupted run may have sent it to the endpoint given).
   */
  private record Target(KeyRegistration registration, String endpoint) {}

  private static List<Target> targets(Journal j, Optional<RegisteredKey> recorded,
      List<RemainingRegistration> remaining) {
    Map<String, Target> targets = new LinkedHashMap<>();
    if (recorded.isPresent()) {
      targets.put(recorded.get().keyIdHex(),
          new Target(recorded.get().registration(), recorded.get().receipt().endpoint()));
    }
    if (j != null && j.registration() != null) {
      targets.putIfAbsent(j.registration().keyIdHex(),
          new Target(j.registration(), j.receipt() == null ? recordedEndpoint(recorded, j) : j.receipt().endpoint()));
    }
    if (j != null && j.old() != null) {
      targets.putIfAbsent(j.old().keyIdHex(), new Target(j.old().registration(), j.old().receipt().endpoint()));
    }
    for (RemainingRegistration r : remaining) {
      targets.putIfAbsent(r.keyIdHex(), new Target(r.registration(), r.endpoint()));
    }
    return new ArrayList<>(targets.values());
  }

  /** Where an unconfirmed registration of {@code j} went: where the other registrations are, if known. */
  private static String recordedEndpoint(Optional<RegisteredKey> recorded, Journal j) {
    if (recorded.isPresent()) {
      return recorded.get().receipt().endpoint();
    }
    return j.old() == null ? null : j.old().receipt().endpoint();
  }

  /**
   * Removes every target. An endpoint that cannot remove keys at all ({@link Removals}) does not
   * stop the reset: the step ends FAILED with its code, the registration is kept as remaining, and
   * the key and records are still removed. Any other failure stops the reset (a rerun retries).
   */
  private void unregister(FlowRun run, List<Target> targets, List<RemainingRegistration> before)
      throws KeytrustException {
    List<RemainingRegistration> left = new ArrayList<>();
    if (targets.isEmpty()) {
      run.events().skip(StepId.UNREGISTER, "no registration is recorded");
    } else {
      KeytrustException[] refusal = new KeytrustException[1];
      try {
        run.events().run(StepId.UNREGISTER, () -> {
          List<String> endpoints = new ArrayList<>();
          for (Target t : targets) {
            KeyRegistrationEndpoint endpoint = flow.requireEndpoint(run.user(), t.endpoint());
            try {
              endpoint.unregister(t.registration());
            } catch (KeytrustException e) {
              if (!Removals.unsupported(e)) {
                throw e;
              }
              refusal[0] = e;
              left.add(Removals.remaining(t.registration(), endpoint.describe(), e, since(before, t, run)));
            }
            if (!endpoints.contains(endpoint.describe())) {
              endpoints.add(endpoint.describe());
            }
          }
          if (refusal[0] != null) {
            throw refusal[0];
          }
          return Done.succeeded(null, "removed " + targets.size() + " registration(s) at "
              + String.join(", ", endpoints));
        });
      } catch (KeytrustException e) {
        if (e != refusal[0]) {
          throw e;
        }
      }
    }
    left.sort(java.util.Comparator.comparing(RemainingRegistration::since)); // oldest first
    flow.records().writeRemaining(run.user(), left); // what is left now, before the journal forgets the targets
    if (run.journal() != null) {
      run.move(JournalState.RESET_UNREGISTERED, StepId.UNREGISTER);
    }
  }

  private static java.time.Instant since(List<RemainingRegistration> before, Target t, FlowRun run) {
    return before.stream().filter(r -> r.keyIdHex().equals(t.registration().keyIdHex()))
        .map(RemainingRegistration::since).findFirst().orElse(run.now());
  }

  private void deleteKey(FlowRun run) throws KeytrustException {
    if (keyPresent(run.user())) {
      run.events().run(StepId.DELETE_KEY, () -> {
        flow.store().delete(run.user());
        return Done.succeeded(null, "the key is deleted");
      });
    } else {
      run.events().skip(StepId.DELETE_KEY, "the user has no key");
    }
    if (run.journal() != null) {
      run.move(JournalState.RESET_KEY_DELETED, StepId.DELETE_KEY);
    }
  }

  /** The journal, or null when there is none or it is damaged (a reset removes it anyway). */
  private Journal readJournal(String user) throws KeytrustException {
    try {
      return flow.records().journal(user).orElse(null);
    } catch (KeytrustException e) {
      if (!damaged(e)) {
        throw e;
      }
      LOG.warn("Resetting user '{}' without the damaged journal: a registration it named may remain at the"
          + " endpoint ({})", user, e.getMessage());
      return null;
    }
  }

  /** The registrations earlier runs could not remove; a damaged record is dropped with a warning. */
  private List<RemainingRegistration> readRemaining(String user) throws KeytrustException {
    try {
      return flow.records().remaining(user);
    } catch (KeytrustException e) {
      if (!damaged(e)) {
        throw e;
      }
      LOG.warn("Resetting user '{}' without the damaged record of registrations left at endpoints: they may remain"
          + " there ({})", user, e.getMessage());
      return List.of();
    }
  }

  private Optional<RegisteredKey> readReceipt(String user) throws KeytrustException {
    try {
      return flow.records().receipt(user);
    } catch (KeytrustException e) {
      if (!damaged(e)) {
        throw e;
      }
      LOG.warn("Resetting user '{}' without the damaged receipt: the registration it named may remain at the"
          + " endpoint ({})", user, e.getMessage());
      return Optional.empty();
    }
  }

  /** True when the user has a key file, readable or not ({@link KeyContainerStore#delete} removes either). */
  private boolean keyPresent(String user) throws KeytrustException {
    try {
      return flow.store().find(user).isPresent();
    } catch (KeytrustException e) {
      if (!damaged(e)) {
        throw e;
      }
      return true;
    }
  }

  private static boolean damaged(KeytrustException e) {
    return e.code() == CoreErrorCode.STORE_CORRUPT || e.code() == AgentErrorCode.FLOW_JOURNAL_INVALID;
  }
}
