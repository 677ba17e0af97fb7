package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.Journal.JournalKey;
import dev.keytrust.agent.records.UserRecord;
import dev.keytrust.agent.records.UserRecords;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.store.OwnerOnlyFiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The flow's two user records beside the key store ({@link UserRecords#write}): the
 * {@code journal} of the operation in progress (or the last one, {@link JournalState#DONE}) and the
 * {@code receipt} of the user's current registration, which {@code keytrust status} shows and
 * {@code keytrust reset} unregisters; and, when an endpoint could not remove a registration, the
 * {@code remaining} ones ({@link RemainingRegistration}), which the next reset tries again. None
 * holds a secret.
 */
final class FlowRecords {
  static final String JOURNAL = "journal";
  static final String JOURNAL_FORMAT = "keytrustJournal";
  static final String RECEIPT = "receipt";
  static final String RECEIPT_FORMAT = "keytrustReceipt";
  static final String REMAINING = "remaining";
  static final String REMAINING_FORMAT = "keytrustRemaining";
  /** The most remaining registrations a record keeps (the oldest go first). */
  static final int MAX_REMAINING = 32;
  static final int VERSION = 1;

  private static final String NEW = "new";
  private static final String OLD = "old";

  private final KeyContainerStore store;
  private final UserRecords records;

  FlowRecords(KeyContainerStore store) {
    this.store = Objects.requireNonNull(store, "store");
    this.records = new UserRecords(store);
  }

  Optional<Journal> journal(String user) throws KeytrustException {
    Optional<UserRecord> r = records.read(user, JOURNAL, JOURNAL_FORMAT, VERSION, "Delete it (`rm {file}`) and run"
        + " `keytrust provision --user " + user + "` again: when the key and the registration receipt agree,"
        + " keytrust rebuilds the journal from them; otherwise it says how to start over.");
    if (r.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(decodeJournal(new RecordFields(new LinkedHashMap<>(r.get().fields()))));
    } catch (RecordFields.InvalidFieldException e) {
      throw invalid(user, JOURNAL, e);
    }
  }

  void write(String user, Journal j) throws KeytrustException {
    write(user, j, OwnerOnlyFiles.Durability.DURABLE);
  }

  void write(String user, Journal j, OwnerOnlyFiles.Durability durability) throws KeytrustException {
    records.write(user, JOURNAL, new UserRecord(JOURNAL_FORMAT, VERSION, encodeJournal(j)), durability);
  }

  void deleteJournal(String user) throws KeytrustException {
    records.delete(user, JOURNAL);
  }

  Optional<RegisteredKey> receipt(String user) throws KeytrustException {
    Optional<UserRecord> r = records.read(user, RECEIPT, RECEIPT_FORMAT, VERSION, "Delete it (`rm {file}`) and run"
        + " `keytrust provision --user " + user + "` again: the journal still names the registration, and keytrust"
        + " writes the receipt again from it.");
    if (r.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new RecordFields(new LinkedHashMap<>(r.get().fields())).registeredKey(""));
    } catch (RecordFields.InvalidFieldException | IllegalArgumentException e) {
      throw invalid(user, RECEIPT, e);
    }
  }

  void writeReceipt(String user, RegisteredKey k) throws KeytrustException {
    writeReceipt(user, k, OwnerOnlyFiles.Durability.DURABLE);
  }

  void writeReceipt(String user, RegisteredKey k, OwnerOnlyFiles.Durability durability) throws KeytrustException {
    Map<String, String> fields = new LinkedHashMap<>();
    new RecordFields(fields).putRegisteredKey("", k);
    records.write(user, RECEIPT, new UserRecord(RECEIPT_FORMAT, VERSION, fields), durability);
  }

  void deleteReceipt(String user) throws KeytrustException {
    records.delete(user, RECEIPT);
  }

  /** The registrations that could not be removed ({@link RemainingRegistration}), oldest first. */
  List<RemainingRegistration> remaining(String user) throws KeytrustException {
    Optional<UserRecord> r = records.read(user, REMAINING, REMAINING_FORMAT, VERSION, "Delete it (`rm {file}`):"
        + " it only lists registrations an endpoint could not remove; `keytrust keys list --user " + user
        + "` still finds them at their endpoint.");
    if (r.isEmpty()) {
      return List.of();
    }
    RecordFields f = new RecordFields(new LinkedHashMap<>(r.get().fields()));
    try {
      int count = Integer.parseInt(f.required("count"));
      if (count < 0 || count > MAX_REMAINING) {
        throw new RecordFields.InvalidFieldException("count " + count + " is outside 0.." + MAX_REMAINING);
      }
      List<RemainingRegistration> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String p = "r" + i;
        out.add(new RemainingRegistration(f.registration(p), f.required(p + "Endpoint"), f.required(p + "ErrorCode"),
            f.optional(p + "Reason") == null ? "" : f.optional(p + "Reason"), f.instant(p + "Since")));
      }
      return List.copyOf(out);
    } catch (RecordFields.InvalidFieldException | IllegalArgumentException e) {
      throw invalid(user, REMAINING, e);
    }
  }

  /** Replaces the remaining registrations; an empty list removes the record. */
  void writeRemaining(String user, List<RemainingRegistration> remaining) throws KeytrustException {
    if (remaining.isEmpty()) {
      records.delete(user, REMAINING);
      return;
    }
    List<RemainingRegistration> kept = remaining.size() > MAX_REMAINING
        ? remaining.subList(remaining.size() - MAX_REMAINING, remaining.size()) : remaining;
    Map<String, String> fields = new LinkedHashMap<>();
    RecordFields f = new RecordFields(fields);
    f.put("count", kept.size());
    for (int i = 0; i < kept.size(); i++) {
      String p = "r" + i;
      RemainingRegistration r = kept.get(i);
      f.putRegistration(p, r.registration());
      f.put(p + "Endpoint", r.endpoint());
      f.put(p + "ErrorCode", r.errorCode());
      f.put(p + "Reason", r.reason());
      f.put(p + "Since", r.since());
    }
    records.write(user, REMAINING, new UserRecord(REMAINING_FORMAT, VERSION, fields));
  }

  /** Adds (or keeps) one remaining registration; one of the same key replaces nothing. */
  void addRemaining(String user, RemainingRegistration r) throws KeytrustException {
    List<RemainingRegistration> all = new ArrayList<>(remaining(user));
    if (all.stream().noneMatch(x -> x.keyIdHex().equals(r.keyIdHex()))) {
      all.add(r);
    }
    writeRemaining(user, all);
  }

  private AgentException invalid(String user, String name, Exception e) {
    return new AgentException(AgentErrorCode.FLOW_JOURNAL_INVALID,
        "The " + name + " record of user '" + user + "' in the key store " + store.root() + " does not fit together ("
            + e.getMessage()
            + "). Run `keytrust reset --user " + user + "` to start over.", e);
  }

  static Map<String, String> encodeJournal(Journal j) {
    Map<String, String> fields = new LinkedHashMap<>();
    RecordFields f = new RecordFields(fields);
    f.put("operation", j.operation().id());
    f.put("state", j.state().name());
    f.put("runId", j.runId());
    f.put("updated", j.updated());
    if (j.lastStep() != null) {
      f.put("lastStep", j.lastStep().id());
    }
    if (j.key() != null) {
      f.put("keyId", j.key().keyIdHex());
      f.put("keyAlgorithm", j.key().algorithm().id());
      f.put("keyProvider", j.key().choice().provider().id());
      f.put("keyChoice", j.key().choice().reason());
    }
    if (j.registration() != null) {
      f.putRegistration(NEW, j.registration());
    }
    if (j.receipt() != null) {
      f.putReceipt(NEW, j.receipt());
    }
    if (j.old() != null) {
      f.putRegisteredKey(OLD, j.old());
    }
    return fields;
  }

  static Journal decodeJournal(RecordFields f) throws RecordFields.InvalidFieldException {
    FlowOperation operation = FlowOperation.fromId(f.required("operation"));
    if (operation == null) {
      throw new RecordFields.InvalidFieldException("unknown operation " + f.required("operation"));
    }
    JournalState state;
    try {
      state = JournalState.valueOf(f.required("state"));
    } catch (IllegalArgumentException e) {
      throw new RecordFields.InvalidFieldException("unknown state " + f.required("state"));
    }
    StepId lastStep = null;
    if (f.has("lastStep")) {
      lastStep = StepId.fromId(f.required("lastStep"));
      if (lastStep == null) {
        throw new RecordFields.InvalidFieldException("unknown step " + f.required("lastStep"));
      }
    }
    try {
      JournalKey key = null;
      if (f.has("keyId")) {
        KeyAlgorithm alg = KeyAlgorithm.fromId(f.required("keyAlgorithm"));
        ProviderKind provider = ProviderKind.fromId(f.required("keyProvider"));
        key = new JournalKey(f.required("keyId"), alg, new KeyChoice(provider, f.required("keyChoice")));
      } else if (state.hasKey()) {
        throw new RecordFields.InvalidFieldException("state " + state + " without a key id");
      }
      var registration = f.has("newKeyId") ? f.registration(NEW) : null;
      if (registration == null && state.hasCredential()) {
        throw new RecordFields.InvalidFieldException("state " + state + " without a KeyCredentialLink");
      }
      if (registration != null && key != null && !registration.keyIdHex().equals(key.keyIdHex())) {
        throw new RecordFields.InvalidFieldException("the KeyCredentialLink is of another key than keyId");
      }
      var receipt = f.has("newEndpoint") ? f.receipt(NEW) : null;
      if (receipt == null && state.hasReceipt()) {
        throw new RecordFields.InvalidFieldException("state " + state + " without a receipt");
      }
      RegisteredKey old = f.has("oldKeyId") ? f.registeredKey(OLD) : null;
      if (old == null && operation == FlowOperation.PIN_CHANGE && state != JournalState.DONE) {
        throw new RecordFields.InvalidFieldException("a PIN change without the old key's registration");
      }
      return new Journal(operation, state, f.required("runId"), f.instant("updated"), lastStep, key, registration,
          receipt, old);
    } catch (KeytrustException | IllegalArgumentException e) {
      throw new RecordFields.InvalidFieldException(e.getMessage());
    }
  }
}
