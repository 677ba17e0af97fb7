package dev.keytrust.agent.flow;

import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the provisioning flow recorded for one user, read-only, for {@code keytrust status}: the
 * receipt of the current registration and the journal of the last (or interrupted) operation, as
 * {@link FlowRecords} keeps them in the key store. Reading never changes them and takes no lock.
 *
 * @param receipt the user's current registration, empty when none is recorded
 * @param journal the journal, empty when no operation ran (or a reset removed it)
 * @param remaining registrations an endpoint could not remove (they stay there; the next reset
 *     tries again), oldest first
 */
public record FlowStatus(Optional<RegisteredKey> receipt, Optional<JournalSummary> journal,
    List<RemainingRegistration> remaining) {

  public FlowStatus {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(journal, "journal");
    remaining = List.copyOf(remaining);
  }

  /**
   * The journal as status shows it.
   *
   * @param operation {@code provision}, {@code pin-change} or {@code reset}
   * @param state the {@link JournalState} name, e.g. {@code DONE} or {@code KEY_CREATED}
   * @param inProgress true when the operation has not finished (a rerun resumes it)
   * @param runId the run that wrote it
   * @param updated when it was written
   * @param lastStep the id of the last step that ended, or null
   * @param keyIdHex the key the journal names (upper-case hex), or null
   * @param keyAlgorithm its algorithm, or null
   * @param keyProvider its provider, or null
   * @param keyChoice why that provider, or null
   */
  public record JournalSummary(
      String operation,
      String state,
      boolean inProgress,
      String runId,
      Instant updated,
      String lastStep,
      String keyIdHex,
      KeyAlgorithm keyAlgorithm,
      ProviderKind keyProvider,
      String keyChoice) {}

  /**
   * Reads the user's records.
   *
   * @throws KeytrustException STORE_CORRUPT or FLOW_JOURNAL_INVALID naming the record when it is
   *     damaged, STORE_VERSION_UNSUPPORTED when a newer keytrust wrote it
   */
  public static FlowStatus read(KeyContainerStore store, String user) throws KeytrustException {
    FlowRecords records = new FlowRecords(store);
    Optional<RegisteredKey> receipt = records.receipt(user);
    Optional<JournalSummary> journal = records.journal(user).map(FlowStatus::summary);
    return new FlowStatus(receipt, journal, records.remaining(user));
  }

  /**
   * True when an error opening a TPM means "no usable TPM there", after which the flow creates a
   * software key where policy allows it (RequireSecurityDevice false); any other error stops it.
   */
  public static boolean meansNoTpm(ErrorCode code) {
    return KeyStep.NO_TPM.contains(code);
  }

  private static JournalSummary summary(Journal j) {
    Journal.JournalKey k = j.key();
    return new JournalSummary(j.operation().id(), j.state().name(), j.inProgress(), j.runId(),
        j.updated(), j.lastStep() == null ? null : j.lastStep().id(),
        k == null ? null : k.keyIdHex(), k == null ? null : k.algorithm(),
        k == null ? null : k.choice().provider(), k == null ? null : k.choice().reason());
  }
}
