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
      boolean keyPresent = keyPresent(user);
      boolean resumed = journal != null && journal.operation() == FlowOperation.RESET;
      boolean nothing = journal == null && recorded.isEmpty() && !keyPresent;
      Targets targets = targets(journal, recorded);
      if (!targets.registrations().isEmpty() && (!resumed || journal.state() == JournalState.RESET_STARTED)) {
        flow.requireEndpoint(user, targets.endpoint()); // before anything changes
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
        unregister(run, targets);
      } else {
        run.events().skip(StepId.UNREGISTER, "done by run " + run.journal().runId());
      }
      if (run.journal() == null || run.journal().state() != JournalState.RESET_KEY_DELETED) {
        deleteKey(run);
      } else {
        run.events().skip(StepId.DELETE_KEY, "done by run " + run.journal().runId());
      }
      run.events().run(StepId.CLEAR, () -> {
        PinHistory history = flow.historyIfConfigured(user);
        if (history != null) {
          history.clear();
        }
        flow.records().deleteReceipt(user);
        flow.records().deleteJournal(user);
        return Done.succeeded(null, history == null ? "records removed" : "PIN history and records removed");
      });
      LOG.info("Reset user '{}'", user);
      return run.result(nothing ? ProvisioningResult.Outcome.NOTHING_TO_RESET : ProvisioningResult.Outcome.RESET,
          null, null, null, resumed);
    }
  }

  /** What a reset removes from the endpoint, and where it was registered (for messages). */
  private record Targets(List<KeyRegistration> registrations, String endpoint) {}

  private static Targets targets(Journal j, Optional<RegisteredKey> recorded) {
    Map<String, KeyRegistration> targets = new LinkedHashMap<>();
    String endpointName = null;
    if (recorded.isPresent()) {
      targets.put(recorded.get().keyIdHex(), recorded.get().registration());
      endpointName = recorded.get().receipt().endpoint();
    }
    if (j != null && j.registration() != null) {
      targets.putIfAbsent(j.registration().keyIdHex(), j.registration());
      if (endpointName == null && j.receipt() != null) {
        endpointName = j.receipt().endpoint();
      }
    }
    if (j != null && j.old() != null) {
      targets.putIfAbsent(j.old().keyIdHex(), j.old().registration());
      if (endpointName == null) {
        endpointName = j.old().receipt().endpoint();
      }
    }
    return new Targets(new ArrayList<>(targets.values()), endpointName);
  }

  private void unregister(FlowRun run, Targets targets) throws KeytrustException {
    List<KeyRegistration> list = targets.registrations();
    if (list.isEmpty()) {
      run.events().skip(StepId.UNREGISTER, "no registration is recorded");
    } else {
      run.events().run(StepId.UNREGISTER, () -> {
        KeyRegistrationEndpoint endpoint = flow.requireEndpoint(run.user(), targets.endpoint());
        for (KeyRegistration r : list) {
          endpoint.unregister(r);
        }
        return Done.succeeded(null, "removed " + list.size() + " registration(s) at " + endpoint.describe());
      });
    }
    if (run.journal() != null) {
      run.move(JournalState.RESET_UNREGISTERED, StepId.UNREGISTER);
    }
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
