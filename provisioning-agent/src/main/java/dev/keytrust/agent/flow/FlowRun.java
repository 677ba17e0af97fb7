package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowEvents.Done;
import dev.keytrust.agent.flow.Journal.JournalKey;
import dev.keytrust.agent.mfa.MfaResult;
import dev.keytrust.agent.pin.PinCreation;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.Setting;
import dev.keytrust.agent.prereq.PrerequisiteReport;
import dev.keytrust.agent.prereq.UserIdentity;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.secret.Pin;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an operation for one user: its events, its journal, and the steps the operations
 * share. The journal is written after every step once it exists, and the state changes exactly
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
    this.events = new FlowEvents(UUID.randomUUID().toString(), operation, flow.listener());
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

  void save(Journal j) throws KeytrustException {
    flow.records().write(user, j);
    journal = j;
  }

  /** Moves the journal to {@code state}, recording {@code step} as the last step that ended. */
  void move(JournalState state, StepId step) throws KeytrustException {
    save(journal.to(state, runId(), now(), step));
  }

  /** After a step that changes no state: records it as the last one, when there is a journal. */
  void stepDone(StepId step) throws KeytrustException {
    if (journal != null) {
      move(journal.state(), step);
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

  // ---- the steps -------------------------------------------------------------------------------

  EffectivePolicy policy() throws KeytrustException {
    EffectivePolicy policy = events.run(StepId.POLICY, () -> {
      EffectivePolicy p = flow.policies().resolve(user);
      p.diagnostics().forEach(d -> LOG.warn("Policy: {}", d));
      return Done.succeeded(p, "governed by " + p.machinePolicySource().windowsName() + " policy; "
          + "UsePassportForWork " + p.usePassportForWork() + ", RequireSecurityDevice "
          + p.value(Setting.REQUIRE_SECURITY_DEVICE) + ", PIN length " + p.pinPolicy().minLength() + ".."
          + p.pinPolicy().maxLength() + (p.diagnostics().isEmpty() ? ""
              : "; " + p.diagnostics().size() + " problem(s) in the policy files (values not applied)"));
    });
    stepDone(StepId.POLICY);
    return policy;
  }

  PrerequisiteReport prerequisites(EffectivePolicy policy) throws KeytrustException {
    PrerequisiteReport report = events.run(StepId.PREREQUISITES, () -> {
      PrerequisiteReport r = flow.checker().check(flow.device(), policy, flow.trigger());
      r.requireWillProvision();
      return Done.succeeded(r, r.result().dsregText());
    });
    stepDone(StepId.PREREQUISITES);
    return report;
  }

  MfaResult mfa() throws KeytrustException {
    MfaResult result = events.run(StepId.MFA, () -> {
      MfaResult r = flow.requireMfa().run(user);
      return r.reused()
          ? Done.skipped(r, "MFA (" + r.completion().method() + ") at " + r.completion().completedAt()
              + " is recent enough")
          : Done.succeeded(r, r.completion().method() + ", " + r.attempts() + " attempt(s)");
    });
    stepDone(StepId.MFA);
    return result;
  }

  /** The new PIN; the caller destroys it. The journal is not written here: the key step writes it. */
  Pin newPin(EffectivePolicy policy, PinHistory history) throws KeytrustException {
    return events.run(StepId.PIN, () -> Done.succeeded(
        PinCreation.forPolicy(policy.pinPolicy()).withHistory(history).create(flow.requirePins()),
        "the PIN meets the PIN rules"));
  }

  void skipPin() throws KeytrustException {
    events.skip(StepId.PIN, "the key of the interrupted run is reused with the PIN set then");
    stepDone(StepId.PIN);
  }

  /**
   * Creates the key: the journal goes to {@link JournalState#KEY_PENDING} first, then the key is
   * made and saved, then the journal names it ({@link JournalState#KEY_CREATED}), and then the PIN
   * goes into the history.
   */
  KeyContainer createKey(EffectivePolicy policy, Pin pin, PinHistory history) throws KeytrustException {
    KeyStep.Output out = events.run(StepId.KEY, () -> {
      move(JournalState.KEY_PENDING, StepId.PIN);
      KeyStep.Output o = new KeyStep(flow.keys()).create(new KeyStep.Input(user, flow.algorithm(),
          flow.requireTpm(), policy.value(Setting.REQUIRE_SECURITY_DEVICE)), pin);
      return Done.succeeded(o, o.key().provider().id() + " " + o.key().algorithm().id() + " key "
          + o.key().keyIdHex() + ": " + o.choice().reason());
    });
    KeyContainer key = out.key();
    save(journal.to(JournalState.KEY_CREATED, runId(), now(), StepId.KEY)
        .withKey(new JournalKey(key.keyIdHex(), key.algorithm(), out.choice())));
    history.record(pin, policy.pinPolicy());
    return key;
  }

  KeyContainer reuseKey(KeyContainer key) throws KeytrustException {
    events.run(StepId.KEY, () -> Done.reused(key, key.provider().id() + " " + key.algorithm().id() + " key "
        + key.keyIdHex() + " made by run " + journal.runId()));
    stepDone(StepId.KEY);
    return key;
  }

  KeyRegistration credential(KeyContainer key) throws KeytrustException {
    if (journal.state().hasCredential()) {
      KeyRegistration kept = journal.registration();
      events.run(StepId.CREDENTIAL, () -> Done.reused(kept, "the KeyCredentialLink built at " + kept.createdAt()));
      stepDone(StepId.CREDENTIAL);
      return kept;
    }
    UserIdentity id = flow.device().user();
    String upn = id.cloudUpn().or(id::onPremUpn).orElse(user);
    KeyRegistration registration = events.run(StepId.CREDENTIAL, () -> {
      KeyRegistration r = new CredentialStep().build(
          new CredentialStep.Input(key, upn, accountName(user), deviceId(), now()));
      return Done.succeeded(r, "NGC key for " + upn + ", source AD, device "
          + (r.deviceId() == null ? "none" : r.deviceId()) + ", " + r.keyCredentialLink().length + " bytes");
    });
    save(journal.to(JournalState.CREDENTIAL_BUILT, runId(), now(), StepId.CREDENTIAL)
        .withRegistration(registration));
    return registration;
  }

  RegistrationReceipt register(KeyRegistration registration) throws KeytrustException {
    if (journal.state().hasReceipt()) {
      RegistrationReceipt kept = journal.receipt();
      events.run(StepId.REGISTER, () -> Done.reused(kept, "registered at " + kept.endpoint() + " ("
          + kept.registeredAt() + ")"));
      stepDone(StepId.REGISTER);
      return kept;
    }
    RegisterStep step = new RegisterStep(flow.requireEndpoint(user, null));
    RegistrationReceipt receipt = events.run(StepId.REGISTER, () -> {
      RegistrationReceipt r = step.register(registration);
      return Done.succeeded(r, (r.alreadyPresent() ? "already registered at " : "registered at ") + r.endpoint()
          + (r.serverKeyId() == null ? "" : " as " + r.serverKeyId()));
    });
    save(journal.to(JournalState.REGISTERED, runId(), now(), StepId.REGISTER).withReceipt(receipt));
    return receipt;
  }

  RegisteredKey recordReceipt(KeyRegistration registration, RegistrationReceipt receipt) throws KeytrustException {
    RegisteredKey k = new RegisteredKey(registration, receipt);
    events.run(StepId.RECEIPT, () -> {
      flow.records().writeReceipt(user, k);
      return Done.succeeded(k, "key " + k.registration().keyIdBase64() + " at " + receipt.endpoint());
    });
    return k;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** The on-premises account name for an LDAP search: the user name unless it is a UPN. */
  static String accountName(String user) {
    if (UserIdentity.isUpn(user)) {
      return null;
    }
    int slash = user.lastIndexOf('\\');
    return slash >= 0 ? user.substring(slash + 1) : user;
  }

  private UUID deviceId() throws KeytrustException {
    Optional<String> id = flow.device().deviceId();
    if (id.isEmpty()) {
      return null;
    }
    try {
      return UUID.fromString(id.get().replace("{", "").replace("}", ""));
    } catch (IllegalArgumentException e) {
      throw new AgentException(AgentErrorCode.DEVICE_CONTEXT_INVALID,
          "The device id '" + id.get() + "' of the device context is not a GUID: fix the device context.", e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().withUpperCase().formatHex(b);
  }
}
