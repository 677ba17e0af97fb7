package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.pin.PinSealer;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.PrerequisiteChecker;
import dev.keytrust.agent.prereq.ProvisioningTrigger;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Windows Hello for Business provisioning for one user, as in the provisioning-flow spec §5:
 * policy, prerequisites, MFA, PIN, key (TPM preferred; software only where policy allows, and the
 * choice reported), the KeyCredentialLink, registration, the receipt. Also the PIN change (a new
 * key with the new PIN; the old key is unregistered and deleted) and the reset.
 *
 * <p>An agent provisions a user with push MFA and a DRS-style key service (the example in
 * examples/embedding, {@code EmbeddingAgent.provision}: {@code pins} is the agent's PIN dialog,
 * the rest its configuration; CI runs it against the lab):
 *
 * <pre>{@code
 * PushSettings push = PushSettings.of(pushService).withTokenFile(tokenFile).withCaFile(caFile);
 * try (PushMfaProvider mfaProvider = new PushMfaProvider(push);
 *     KeyRegistrationEndpoint endpoint = KeyRegistrationEndpoints.open(keyService, new EndpointSettings(
 *         Map.of("token-file", tokenFile.toString(), "ca-file", caFile.toString())))) {
 *   MfaRunner mfa = MfaRunner.builder(mfaProvider)
 *       .freshness(MfaFreshness.inDirectory(stateDir))
 *       .build();
 *   ProvisioningFlow flow = ProvisioningFlow.builder()
 *       .store(new KeyContainerStore(keyStore))
 *       .tpm(tpm)
 *       .policies(new PolicyResolver(policyDir))
 *       .device(DeviceContextFile.read(deviceFile, RemoteSessionDetector.forThisProcess()))
 *       .mfa(mfa)
 *       .pins(pins)
 *       .stateDir(stateDir)
 *       .endpoint(endpoint)
 *       .build();
 *   return flow.run(user);
 * }
 * }</pre>
 *
 * <p>A {@link FlowListener} ({@code .listener(event -> progress(event))}) shows the steps as they
 * run.
 *
 * <p><b>Events.</b> Every step emits a {@link StepEvent} STARTED and then SUCCEEDED, SKIPPED, REUSED
 * or FAILED (with the error code), to the {@link FlowListener} and to the SLF4J logger {@value
 * StepEvent#LOGGER} as key-value pairs.
 *
 * <p><b>Journal and resumption.</b> A run holds the user's lock in the key store ({@link
 * dev.keytrust.agent.records.UserRecords#lock}): a second run for the same user fails with STORE_BUSY. The journal
 * (a record in the key store) is written at every change of state, before the key is created and
 * before the registration is sent, so a crash or kill at any point, followed by a rerun, ends with
 * exactly one key and at most one registration:
 *
 * <ul>
 *   <li>{@link JournalState#KEY_PENDING} and a key in the store: the key came from the interrupted
 *       run and its PIN was never confirmed to the user as set; it is deleted and a new one made.
 *   <li>{@link JournalState#KEY_CREATED} or later and the same key in the store: it is reused
 *       (registration needs only the public key; the PIN is not asked again).
 *   <li>{@link JournalState#CREDENTIAL_BUILT}: the KeyCredentialLink kept in the journal is sent,
 *       never a rebuilt one (a new creation time would put a second value in the directory).
 *       Endpoints are idempotent, so a kill between the request and the journal write still gives
 *       one registration; a failed registration leaves this state and a rerun retries it.
 *   <li>{@link JournalState#DONE}: already provisioned; nothing is done, unless the TPM lost the key
 *       ({@link LostKey}: cleared, a firmware update, another machine; found without the PIN): then
 *       the user is provisioned anew (policy, prerequisites, MFA), and before the new PIN and key the
 *       lost key's registration is removed (kept in the journal until then) and the key deleted.
 *   <li>No journal, but a key the registration receipt names: provisioned, and the journal was lost
 *       (deleted after it was damaged); it is written again from the key and the receipt.
 *   <li>A key in the store with no journal: not made by this flow; refused (FLOW_FOREIGN_KEY).
 *   <li>A key the journal names but the store lost: its registration (if it may have been sent)
 *       is removed and a new key is made; after DONE, FLOW_KEY_MISSING asks for a reset.
 * </ul>
 *
 * <p><b>What provisioning writes, and which writes are forced to disk.</b> A killed process keeps
 * everything it wrote (the page cache outlives it; every write is atomic: old file or new file);
 * only a power cut (or a kernel crash) loses writes that were not forced. So every write below is
 * atomic, and only the three that recovery after a power cut needs are forced (file and directory,
 * {@link dev.keytrust.store.OwnerOnlyFiles.Durability#DURABLE}):
 *
 * <ol>
 *   <li>Journal {@link JournalState#STARTED}, after the prerequisites: atomic, not forced. Nothing
 *       exists yet; if a power cut loses it, the rerun is a fresh run, as if none had started.
 *   <li>Journal {@link JournalState#KEY_PENDING}, before the key is made: <b>forced</b>. It must
 *       be on disk before the key file can be, or a power cut could leave a key that no journal
 *       explains (refused as FLOW_FOREIGN_KEY, or a key nobody deletes).
 *   <li>The key file: <b>forced</b> by the key store (a saved key is the user's credential, and the
 *       next forced journal names it).
 *   <li>The PIN history, once the key exists and before the journal names it: atomic, not forced.
 *       A run killed before the journal names the key is redone from a new PIN; a run resumed after
 *       it reuses the key and never has the PIN, so the PIN must be in the history by then. A power
 *       cut can lose this newest entry (the older file is sealed with an earlier PIN and starts
 *       again from the current one); the key and its registration do not depend on it.
 *   <li>Journal {@link JournalState#CREDENTIAL_BUILT} with the key's id and the KeyCredentialLink:
 *       <b>forced</b>, before the registration is sent. Without it on disk, a rerun after a power
 *       cut would see KEY_PENDING, make a new key and register a second value while the first
 *       stays in the directory. There is no separate KEY_CREATED write: a key whose journal still
 *       says KEY_PENDING is deleted and made again by a rerun (it was never registered).
 *   <li>The receipt record and journal {@link JournalState#DONE} (with the receipt), after the
 *       endpoint answered: atomic, not forced. If a power cut loses them, the forced
 *       CREDENTIAL_BUILT remains and a rerun sends the identical value again, which the endpoints
 *       answer as already present: still one registration.
 * </ol>
 *
 * <p>A step that changes no state (policy, MFA, PIN questions) writes nothing: the next write
 * records it as the last step. The first provisioning in a new key store also creates its
 * directories (each forced into its parent once) and the store's lock file (not forced: a lost or
 * empty lock file still locks). A PIN change and a reset force every journal write.
 *
 * <p>Nothing is written before the prerequisites pass. PINs are {@link dev.keytrust.secret.Pin}s,
 * destroyed once the key exists and the PIN is in the history.
 *
 * <p><b>Steps.</b> Each step is a class with one job and an input and output record ({@link
 * FlowStep}); {@code FlowSteps} runs them in order and moves the journal, which {@code FlowRun}
 * keeps.
 *
 * <p><b>Threads and lifecycle.</b> A flow is immutable once built and keeps nothing between runs;
 * it holds no TPM connection (each run opens the TPM only for the moment it creates a key or checks
 * a PIN, and closes it) and nothing that needs closing. Build one flow per user: its {@link
 * DeviceContext}, MFA runner and endpoint carry that user's facts and token. Flows for different
 * users may run at the same time on different threads, sharing the key store, state directory,
 * policy folder and TPM: each run gets its result as if alone (TPM commands run one at a time, key
 * store writes under the store's lock; on a simulator the runs share one connection, see {@link
 * dev.keytrust.tpm.TpmSession}). Runs for the same user exclude each other, in one process or
 * several: the second fails at once with STORE_BUSY. The MFA runner, its provider and the endpoint
 * are the caller's: close them when the flow is no longer used. A listener and a {@link PinSource}
 * are called on the thread that runs the flow.
 */
public final class ProvisioningFlow {

  /** The PIN history of a user. */
  @FunctionalInterface
  public interface PinHistories {
    PinHistory forUser(String user) throws KeytrustException;
  }

  private final KeyContainerStore store;
  private final FlowRecords records;
  private final HelloKeysFactory keys;
  private final TpmUri tpm;
  private final KeyAlgorithm algorithm;
  private final PolicyResolver policies;
  private final DeviceContext device;
  private final PrerequisiteChecker checker;
  private final ProvisioningTrigger trigger;
  private final MfaRunner mfa;
  private final PinSource pins;
  private final PinHistories histories;
  private final KeyRegistrationEndpoint endpoint;
  private final Clock clock;
  private final FlowListener listener;
  private final FlowAuditor auditor;

  private ProvisioningFlow(Builder b) {
    this.store = Objects.requireNonNull(b.store, "store");
    this.records = new FlowRecords(store);
    this.keys = b.keys != null ? b.keys : HelloKeysFactory.of(store.root());
    this.tpm = b.tpm;
    this.algorithm = b.algorithm;
    this.policies = b.policies;
    this.device = b.device;
    this.checker = b.checker;
    this.trigger = b.trigger;
    this.mfa = b.mfa;
    this.pins = b.pins;
    this.clock = b.clock;
    this.histories = b.histories != null ? b.histories
        : b.stateDir != null ? user -> PinHistory.forUser(b.stateDir, user, PinHistory.DEFAULT_COST, b.clock)
        : null;
    this.endpoint = b.endpoint;
    this.listener = b.listener;
    this.auditor = b.auditor;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Provisions {@code user}, or finishes an interrupted provisioning.
   *
   * @throws KeytrustException what a step threw (its FAILED event names the code): e.g.
   *     PREREQUISITES_NOT_MET (nothing was created), MFA_*, PIN_RULES_UNMET (every unmet rule),
   *     FLOW_SECURITY_DEVICE_REQUIRED, an endpoint's KT-16xx (a rerun retries), STORE_BUSY,
   *     FLOW_FOREIGN_KEY, FLOW_KEY_MISSING, FLOW_OTHER_OPERATION_PENDING
   */
  public ProvisioningResult run(String user) throws KeytrustException {
    requireFor("provisioning", missing(true));
    if (endpoint == null) { // before anything is asked or created, not at the register step
      throw FlowErrors.endpointRequiredToRegister(user, "Provisioning");
    }
    requireAccepted(user);
    return audited(FlowOperation.PROVISION, user, () -> new ProvisionOperation(this).run(user));
  }

  /**
   * Changes the PIN of a provisioned user: checks the current PIN with the current key, asks the
   * new PIN, records the old registration in the journal, deletes the old key, creates and
   * registers a new key, and removes the old registration. Resumable like {@link #run}; once the
   * old key is gone, a rerun proves the user with MFA instead of the current PIN.
   */
  public ProvisioningResult changePin(String user) throws KeytrustException {
    requireFor("a PIN change", missing(false));
    if (endpoint != null) {
      requireAccepted(user);
    }
    return audited(FlowOperation.PIN_CHANGE, user, () -> new PinChangeOperation(this).run(user));
  }

  /**
   * Removes what provisioning made for {@code user}: every registration the records name (also of an
   * interrupted run), the key (also one no provisioning made), the PIN history and the records.
   * Idempotent and resumable.
   */
  public ProvisioningResult reset(String user) throws KeytrustException {
    return audited(FlowOperation.RESET, user, () -> new ResetOperation(this).run(user));
  }

  private interface Operation {
    ProvisioningResult run() throws KeytrustException;
  }

  /** Runs {@code op}, telling the auditor how it ended. */
  private ProvisioningResult audited(FlowOperation operation, String user, Operation op) throws KeytrustException {
    ProvisioningResult result;
    try {
      result = op.run();
    } catch (KeytrustException e) {
      auditor.failed(operation, user, e);
      throw e;
    }
    auditor.finished(result);
    return result;
  }

  /** The steps of an operation when nothing is interrupted, in order (progress shows "3/8"). */
  public static List<StepId> plan(FlowOperation operation) {
    return switch (operation) {
      case PROVISION -> List.of(StepId.POLICY, StepId.PREREQUISITES, StepId.MFA, StepId.PIN, StepId.KEY,
          StepId.CREDENTIAL, StepId.REGISTER, StepId.RECEIPT);
      case PIN_CHANGE -> List.of(StepId.POLICY, StepId.CURRENT_PIN, StepId.PIN, StepId.DELETE_OLD_KEY, StepId.KEY,
          StepId.CREDENTIAL, StepId.REGISTER, StepId.RECEIPT, StepId.UNREGISTER_OLD);
      case RESET -> List.of(StepId.UNREGISTER, StepId.DELETE_KEY, StepId.CLEAR);
    };
  }

  /** The builder methods not called that provisioning (with {@code mfa}) or a PIN change needs. */
  private List<String> missing(boolean withMfa) {
    List<String> missing = new java.util.ArrayList<>();
    if (policies == null) {
      missing.add("policies");
    }
    if (device == null) {
      missing.add("device");
    }
    if (withMfa && mfa == null) {
      missing.add("mfa");
    }
    if (pins == null) {
      missing.add("pins");
    }
    if (histories == null) {
      missing.add("stateDir (or pinHistories)");
    }
    if (tpm == null) {
      missing.add("tpm");
    }
    return missing;
  }

  private static void requireFor(String what, List<String> missing) {
    if (!missing.isEmpty()) {
      throw new IllegalStateException("the flow was built without what " + what + " needs: call "
          + String.join(", ", missing) + " on its builder");
    }
  }

  // ---- for the operations ----------------------------------------------------------------------

  KeyContainerStore store() {
    return store;
  }

  FlowRecords records() {
    return records;
  }

  HelloKeysFactory keys() {
    return keys;
  }

  KeyAlgorithm algorithm() {
    return algorithm;
  }

  PolicyResolver policies() {
    return policies;
  }

  DeviceContext device() {
    return device;
  }

  PrerequisiteChecker checker() {
    return checker;
  }

  ProvisioningTrigger trigger() {
    return trigger;
  }

  Clock clock() {
    return clock;
  }

  FlowListener listener() {
    return listener;
  }

  /** The listener of a run for {@code user}: the caller's, then the auditor's. */
  FlowListener listenerFor(String user) {
    FlowListener audit = auditor.listener(user);
    return event -> {
      try {
        listener.onEvent(event);
      } finally {
        audit.onEvent(event);
      }
    };
  }

  TpmUri requireTpm() {
    return tpm;
  }

  PinSource requirePins() {
    return pins;
  }

  /** The user's PIN history, sealed and opened with the user's key through this flow's providers. */
  PinHistory history(String user) throws KeytrustException {
    return histories.forUser(user).sealedWith(PinSealer.withKeys(store,
        kind -> keys.open(kind == ProviderKind.SOFTWARE ? TpmUri.parse(TpmUri.SOFTWARE) : tpm)));
  }

  /** The PIN history when one is configured (reset clears it), else null. */
  PinHistory historyIfConfigured(String user) throws KeytrustException {
    return histories == null ? null : histories.forUser(user);
  }

  MfaRunner requireMfa() throws AgentException {
    if (mfa == null) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID,
          "This step needs multi-factor authentication (the old key is gone, so the current PIN cannot be"
              + " checked), but no MFA method was given: pass --mfa.");
    }
    return mfa;
  }

  /**
   * The endpoint.
   *
   * @param recorded the endpoint the registration was made at, for the message
   * @throws AgentException FLOW_ENDPOINT_REQUIRED when none was given
   */
  KeyRegistrationEndpoint requireEndpoint(String user, String recorded) throws AgentException {
    if (endpoint == null) {
      throw FlowErrors.endpointRequired(user, recorded);
    }
    if (recorded != null && !recorded.equals(endpoint.describe())) {
      // removing at another endpoint would "succeed" (nothing there) and orphan the registration
      throw FlowErrors.endpointMismatch(user, recorded, endpoint.describe());
    }
    return endpoint;
  }

  /** Fails before anything is asked or created when the endpoint cannot take the flow's keys. */
  private void requireAccepted(String user) throws AgentException {
    java.util.Optional<String> why = endpoint.refuses(algorithm);
    if (why.isPresent()) {
      throw FlowErrors.algorithmNotAccepted(user, algorithm, endpoint.describe(), why.get());
    }
  }

  /** Builds a {@link ProvisioningFlow}; the store is required, the rest as the operations need. */
  public static final class Builder {
    private KeyContainerStore store;
    private HelloKeysFactory keys;
    private TpmUri tpm;
    private KeyAlgorithm algorithm = KeyAlgorithm.RSA_2048;
    private PolicyResolver policies;
    private DeviceContext device;
    private PrerequisiteChecker checker = new PrerequisiteChecker();
    private ProvisioningTrigger trigger = ProvisioningTrigger.EXPLICIT;
    private MfaRunner mfa;
    private PinSource pins;
    private PinHistories histories;
    private Path stateDir;
    private KeyRegistrationEndpoint endpoint;
    private Clock clock = Clock.systemUTC();
    private FlowListener listener = FlowListener.NONE;
    private FlowAuditor auditor = FlowAuditor.NONE;

    private Builder() {}

    /** The key store: keys, the journal and the receipt. Required. */
    public Builder store(KeyContainerStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How to open a key provider; default {@link HelloKeysFactory#of} the store's root. */
    public Builder keys(HelloKeysFactory keys) {
      this.keys = Objects.requireNonNull(keys, "keys");
      return this;
    }

    /** The TPM keys are made in ({@code software} to ask for a software key). */
    public Builder tpm(TpmUri tpm) {
      this.tpm = Objects.requireNonNull(tpm, "tpm");
      return this;
    }

    /** The key algorithm; default RSA-2048, as Windows Hello for Business. */
    public Builder algorithm(KeyAlgorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** Where the effective policy comes from. */
    public Builder policies(PolicyResolver policies) {
      this.policies = Objects.requireNonNull(policies, "policies");
      return this;
    }

    /** What is known about the device and the user (join state, device id, UPNs, TPM). */
    public Builder device(DeviceContext device) {
      this.device = Objects.requireNonNull(device, "device");
      return this;
    }

    /** The prerequisite checks; default {@link PrerequisiteChecker}. */
    public Builder checker(PrerequisiteChecker checker) {
      this.checker = Objects.requireNonNull(checker, "checker");
      return this;
    }

    /** What started the run; default {@link ProvisioningTrigger#EXPLICIT}. */
    public Builder trigger(ProvisioningTrigger trigger) {
      this.trigger = Objects.requireNonNull(trigger, "trigger");
      return this;
    }

    /** Multi-factor authentication. */
    public Builder mfa(MfaRunner mfa) {
      this.mfa = Objects.requireNonNull(mfa, "mfa");
      return this;
    }

    /** Where PINs are asked (create and confirm; the current PIN for a change). */
    public Builder pins(PinSource pins) {
      this.pins = Objects.requireNonNull(pins, "pins");
      return this;
    }

    /** The agent's state directory: PIN histories with their default cost. */
    public Builder stateDir(Path stateDir) {
      this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
      return this;
    }

    /** PIN histories made another way (another Argon2id cost); wins over {@link #stateDir}. */
    public Builder pinHistories(PinHistories histories) {
      this.histories = Objects.requireNonNull(histories, "histories");
      return this;
    }

    /** The registration endpoint; the caller opens and closes it. */
    public Builder endpoint(KeyRegistrationEndpoint endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** The clock of journal times and KeyCredentialLink creation times; default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder listener(FlowListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Where the events of every run and how it ended also go, such as {@code
     * dev.keytrust.agent.audit.AuditTrail} (an audit log that outlives the terminal); default none.
     */
    public Builder auditor(FlowAuditor auditor) {
      this.auditor = Objects.requireNonNull(auditor, "auditor");
      return this;
    }

    /** @throws IllegalStateException when {@link #store} was not given (the one part every operation needs) */
    public ProvisioningFlow build() {
      if (store == null) {
        throw new IllegalStateException("the flow was built without a key store: call store(...) on its builder");
      }
      return new ProvisioningFlow(this);
    }
  }
}
