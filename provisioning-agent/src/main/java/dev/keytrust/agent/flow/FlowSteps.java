package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowEvents.Done;
import dev.keytrust.agent.flow.Journal.JournalKey;
import dev.keytrust.agent.mfa.MfaResult;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.Setting;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.PrerequisiteReport;
import dev.keytrust.agent.prereq.TpmState;
import dev.keytrust.agent.prereq.UserIdentity;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.secret.Pin;
import dev.keytrust.store.OwnerOnlyFiles;
import java.util.Optional;
import java.util.UUID;

/**
 * The steps the operations share, run in their order: each {@link FlowStep} runs inside its
 * STARTED/ended events, and the journal of the {@link FlowRun} moves exactly where {@link
 * JournalState} says (a step that changes no state is recorded as the last one that ended).
 * A step the journal says is done already is reused, never run again.
 */
final class FlowSteps {
  private final ProvisioningFlow flow;
  private final FlowRun run;

  FlowSteps(ProvisioningFlow flow, FlowRun run) {
    this.flow = flow;
    this.run = run;
  }

  EffectivePolicy policy() throws KeytrustException {
    PolicyStep.Output out = run.events().run(StepId.POLICY, () -> {
      PolicyStep.Output o = new PolicyStep(flow.policies()).run(new PolicyStep.Input(run.user()));
      return Done.succeeded(o, o.summary());
    });
    run.stepDone(StepId.POLICY);
    return out.policy();
  }

  PrerequisiteReport prerequisites(EffectivePolicy policy) throws KeytrustException {
    PrerequisitesStep.Output out = run.events().run(StepId.PREREQUISITES, () -> {
      PrerequisitesStep.Output o = new PrerequisitesStep(flow.checker())
          .run(new PrerequisitesStep.Input(deviceForPrerequisites(), policy, flow.trigger()));
      return Done.succeeded(o, o.summary());
    });
    run.stepDone(StepId.PREREQUISITES);
    return out.report();
  }

  /**
   * The device context as the hardware requirement must see it: when the software provider was
   * selected no TPM is used, whatever the device has, so a policy that requires one stops the flow
   * here, before MFA or the PIN, as {@code keytrust status} says it would.
   */
  private DeviceContext deviceForPrerequisites() {
    return flow.requireTpm().isSoftware()
        ? flow.device().toBuilder().tpm(TpmState.softwareSelected()).build()
        : flow.device();
  }

  MfaResult mfa() throws KeytrustException {
    MfaStep.Output out = run.events().run(StepId.MFA, () -> {
      MfaStep.Output o = new MfaStep(flow.requireMfa()).run(new MfaStep.Input(run.user()));
      return o.reused() ? Done.skipped(o, o.summary()) : Done.succeeded(o, o.summary());
    });
    run.stepDone(StepId.MFA);
    return out.result();
  }

  /** The new PIN; the caller destroys it. The journal is not written here: the key step writes it. */
  Pin newPin(EffectivePolicy policy, PinHistory history) throws KeytrustException {
    PinStep.Output out = run.events().run(StepId.PIN, () -> {
      PinStep.Output o = new PinStep(flow.requirePins()).run(new PinStep.Input(policy.pinPolicy(), history));
      return Done.succeeded(o, o.summary());
    });
    return out.pin();
  }

  void skipPin() throws KeytrustException {
    run.events().skip(StepId.PIN, "the key of the interrupted run is reused with the PIN set then");
    run.stepDone(StepId.PIN);
  }

  /**
   * Creates the key: the journal goes to {@link JournalState#KEY_PENDING} first, then the key is
   * made and saved, then the PIN goes into the history, and only then does the journal name the key
   * ({@link JournalState#KEY_CREATED}). A run that stops before that is redone from a new PIN (the
   * rerun deletes the key of {@code KEY_PENDING}); a resumed run never has the PIN, so a key the
   * journal names must already have its PIN in the history.
   */
  KeyContainer createKey(EffectivePolicy policy, Pin pin, PinHistory history) throws KeytrustException {
    KeyStep.Output out = createPendingKey(policy, pin);
    KeyContainer key = out.key();
    history.record(pin, policy.pinPolicy());
    run.save(run.journal().to(JournalState.KEY_CREATED, run.runId(), run.now(), StepId.KEY)
        .withKey(new JournalKey(key.keyIdHex(), key.algorithm(), out.choice())));
    return key;
  }

  /**
   * Provisioning's key: the journal goes to {@link JournalState#KEY_PENDING} (forced to disk)
   * first, then the key is made and saved (the key store forces it). The journal names the key
   * only together with its KeyCredentialLink ({@link #credential(KeyContainer, JournalKey)}), and
   * the caller puts the PIN into the history before that: until then a rerun finds the key in
   * KEY_PENDING, deletes it and makes a new one, asking for the PIN again. {@link #createKey} (the
   * PIN change's) starts with it too.
   */
  KeyStep.Output createPendingKey(EffectivePolicy policy, Pin pin) throws KeytrustException {
    return run.events().run(StepId.KEY, () -> {
      run.move(JournalState.KEY_PENDING, StepId.PIN);
      KeyStep.Output o = new KeyStep(flow.keys()).run(new KeyStep.Input(run.user(), flow.algorithm(),
          flow.requireTpm(), policy.value(Setting.REQUIRE_SECURITY_DEVICE), pin));
      return Done.succeeded(o, o.summary());
    });
  }

  KeyContainer reuseKey(KeyContainer key) throws KeytrustException {
    run.events().run(StepId.KEY, () -> Done.reused(key, key.provider().id() + " " + key.algorithm().id() + " key "
        + key.keyIdHex() + " made by run " + run.journal().runId()));
    run.stepDone(StepId.KEY);
    return key;
  }

  KeyRegistration credential(KeyContainer key) throws KeytrustException {
    return credential(key, null);
  }

  /**
   * The KeyCredentialLink of {@code key}: the one the journal keeps, or a new one, saved in the
   * journal ({@link JournalState#CREDENTIAL_BUILT}, forced to disk) before anything is sent.
   *
   * @param newKey the key to name in the journal with it (provisioning's new key, which the
   *     journal does not name yet), or null when the journal names it already
   */
  KeyRegistration credential(KeyContainer key, JournalKey newKey) throws KeytrustException {
    Journal journal = run.journal();
    if (journal.state().hasCredential()) {
      KeyRegistration kept = journal.registration();
      run.events().run(StepId.CREDENTIAL, () -> Done.reused(kept, "the KeyCredentialLink built at " + kept.createdAt()));
      run.stepDone(StepId.CREDENTIAL);
      return kept;
    }
    UserIdentity id = flow.device().user();
    String upn = id.cloudUpn().or(id::onPremUpn).orElse(run.user());
    KeyRegistration registration = run.events().run(StepId.CREDENTIAL, () -> {
      KeyRegistration r = new CredentialStep().run(
          new CredentialStep.Input(key, upn, accountName(run.user()), deviceId(), run.now()));
      return Done.succeeded(r, "NGC key for " + upn + ", source AD, device "
          + (r.deviceId() == null ? "none" : r.deviceId()) + ", " + r.keyCredentialLink().length + " bytes");
    });
    Journal built = run.journal().to(JournalState.CREDENTIAL_BUILT, run.runId(), run.now(), StepId.CREDENTIAL);
    if (newKey != null) {
      built = built.withKey(newKey);
    }
    run.save(built.withRegistration(registration));
    return registration;
  }

  RegistrationReceipt register(KeyRegistration registration) throws KeytrustException {
    return register(registration, true);
  }

  /**
   * Registers the KeyCredentialLink the journal keeps (or takes the receipt it kept).
   *
   * @param save true to save the journal as {@link JournalState#REGISTERED} (forced) right away;
   *     false to keep that state in memory for the next write (provisioning's DONE): until then a
   *     rerun finds {@link JournalState#CREDENTIAL_BUILT} and sends the identical value again,
   *     which the endpoints answer as already present
   */
  RegistrationReceipt register(KeyRegistration registration, boolean save) throws KeytrustException {
    Journal journal = run.journal();
    if (journal.state().hasReceipt()) {
      RegistrationReceipt kept = journal.receipt();
      run.events().run(StepId.REGISTER, () -> Done.reused(kept, "registered at " + kept.endpoint() + " ("
          + kept.registeredAt() + ")"));
      run.stepDone(StepId.REGISTER);
      return kept;
    }
    RegisterStep step = new RegisterStep(flow.requireEndpoint(run.user(), null));
    RegistrationReceipt receipt = run.events().run(StepId.REGISTER, () -> {
      RegistrationReceipt r = step.run(registration);
      return Done.succeeded(r, (r.alreadyPresent() ? "already registered at " : "registered at ") + r.endpoint()
          + (r.serverKeyId() == null ? "" : " as " + r.serverKeyId()));
    });
    Journal registered = run.journal().to(JournalState.REGISTERED, run.runId(), run.now(), StepId.REGISTER)
        .withReceipt(receipt);
    if (save) {
      run.save(registered);
    } else {
      run.advance(registered);
    }
    return receipt;
  }

  RegisteredKey recordReceipt(KeyRegistration registration, RegistrationReceipt receipt) throws KeytrustException {
    return recordReceipt(registration, receipt, OwnerOnlyFiles.Durability.DURABLE);
  }

  RegisteredKey recordReceipt(KeyRegistration registration, RegistrationReceipt receipt,
      OwnerOnlyFiles.Durability durability) throws KeytrustException {
    ReceiptStep.Output out = run.events().run(StepId.RECEIPT, () -> {
      ReceiptStep.Output o = new ReceiptStep(flow.records(), durability)
          .run(new ReceiptStep.Input(run.user(), registration, receipt));
      return Done.succeeded(o, o.summary());
    });
    return out.registered();
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
}
