package dev.keytrust.agent.flow;

import static dev.keytrust.agent.flow.FlowTestKit.PIN2;
import static dev.keytrust.agent.flow.FlowTestKit.PIN;
import static dev.keytrust.agent.flow.FlowTestKit.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowTestKit.ScriptedPins;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.PrerequisitesNotMetException;
import dev.keytrust.agent.records.UserLock;
import dev.keytrust.agent.records.UserRecords;
import dev.keytrust.credential.CustomKeyInformation;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeySource;
import dev.keytrust.credential.KeyUsage;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.secret.TestPins;
import dev.keytrust.store.OwnerOnlyFiles;
import dev.keytrust.tpm.TpmUri;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioning flow end to end with software keys (no TPM here): outcomes, records, refusals. */
class ProvisioningFlowTest {
  @TempDir Path tmp;
  Path root;
  KeyContainerStore store;
  RecordingEndpoint endpoint;
  AtomicInteger mfa = new AtomicInteger();
  TpmUri noTpm;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("keys");
    store = new KeyContainerStore(root);
    endpoint = new RecordingEndpoint(tmp.resolve("endpoint"));
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      noTpm = TpmUri.parse("mssim://127.0.0.1:" + s.getLocalPort()); // closed again: nothing listens
    }
  }

  ProvisioningFlow.Builder flow(ScriptedPins pins) throws Exception {
    return FlowTestKit.flow(root, tmp, noTpm, pins, endpoint, mfa);
  }

  /**
   * The writes ProvisioningFlow's Javadoc lists, counted (not timed): a provisioning forces exactly
   * three journal and key files to disk (KEY_PENDING, the key file, CREDENTIAL_BUILT), plus here
   * the software key's two attempt-counter files, which the key store writes beside its key file
   * (a TPM key has none); STARTED,
   * the PIN history, the receipt and DONE are atomic but not forced, and so is the new store's lock
   * file.
   */
  @Test
  void forcesOnlyTheWritesRecoveryNeeds() throws Exception {
    ProvisioningFlow f = flow(ScriptedPins.always(PIN)).build();
    OwnerOnlyFiles.WriteCounts before = OwnerOnlyFiles.counts();
    ProvisioningResult r = f.run(USER);
    OwnerOnlyFiles.WriteCounts used = OwnerOnlyFiles.counts().minus(before);

    assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
    assertThat(used.fileForces())
        .as("forced: journal KEY_PENDING, counter, counter-secret, key, journal CREDENTIAL_BUILT; %s", used)
        .isEqualTo(5);
    assertThat(used.atomicWrites()).as("and unforced: lock file, STARTED, PIN history, receipt, DONE; %s", used)
        .isEqualTo(10);
  }

  @Test
  void provisionsASoftwareKeyWhereNoTpmAnswersAndSaysWhy() throws Exception {
    ScriptedPins pins = ScriptedPins.always(PIN);
    List<StepEvent> seen = new java.util.ArrayList<>();
    ProvisioningResult r = flow(pins).listener(seen::add).build().run(USER);

    assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
    assertThat(r.resumed()).isFalse();
    KeyContainer key = store.load(USER);
    assertThat(r.keyIdHex()).isEqualTo(key.keyIdHex());
    assertThat(key.provider()).isEqualTo(ProviderKind.SOFTWARE);
    assertThat(key.algorithm()).isEqualTo(KeyAlgorithm.RSA_2048);
    assertThat(r.keyChoice().provider()).isEqualTo(ProviderKind.SOFTWARE);
    assertThat(r.keyChoice().reason()).contains("no TPM at " + noTpm).contains("KT-0101")
        .contains("allowed by policy (RequireSecurityDevice is false)");
    assertThat(seen).isEqualTo(r.events());
    assertThat(seen).extracting(StepEvent::step).containsExactly(
        StepId.POLICY, StepId.POLICY, StepId.PREREQUISITES, StepId.PREREQUISITES, StepId.MFA, StepId.MFA,
        StepId.PIN, StepId.PIN, StepId.KEY, StepId.KEY, StepId.CREDENTIAL, StepId.CREDENTIAL,
        StepId.REGISTER, StepId.REGISTER, StepId.RECEIPT, StepId.RECEIPT);
    assertThat(seen).extracting(StepEvent::outcome).containsOnly(StepOutcome.STARTED, StepOutcome.SUCCEEDED);
    assertThat(seen).extracting(StepEvent::runId).containsOnly(r.runId());
    assertThat(mfa).hasValue(1);
    assertThat(pins.allCleared()).as("every PIN array cleared").isTrue();

    // the registered value: the KeyCredentialLink [MS-KPP] says AD FS writes
    assertThat(endpoint.registered()).hasSize(1);
    byte[] blob = HexFormat.of().parseHex(endpoint.registered().get(0).credentialHex());
    KeyCredential kc = KeyCredential.parse(blob);
    assertThat(kc.keyId()).hasValueSatisfying(id -> assertThat(id).isEqualTo(key.keyId()));
    assertThat(kc.usage()).contains(KeyUsage.NGC);
    assertThat(kc.source()).contains(KeySource.AD);
    assertThat(kc.deviceId()).contains(UUID.fromString(FlowTestKit.DEVICE_ID));
    assertThat(kc.customKeyInformation()).hasValueSatisfying(
        cki -> assertThat(cki.encoded()).containsExactly(1, CustomKeyInformation.FLAG_MFA_NOT_USED));
    assertThat(kc.creationTime()).isPresent();
    assertThat(kc.keyHashValid()).contains(true);

    FlowRecords records = new FlowRecords(store);
    assertThat(records.journal(USER)).hasValueSatisfying(j -> {
      assertThat(j.state()).isEqualTo(JournalState.DONE);
      assertThat(j.lastStep()).isEqualTo(StepId.RECEIPT);
      assertThat(j.key().keyIdHex()).isEqualTo(key.keyIdHex());
    });
    assertThat(records.receipt(USER)).hasValueSatisfying(k -> {
      assertThat(k.keyIdHex()).isEqualTo(key.keyIdHex());
      assertThat(k.registration().keyCredentialLink()).isEqualTo(blob);
      assertThat(k.receipt().endpoint()).isEqualTo(endpoint.describe());
      assertThat(k.registration().userPrincipalName()).isEqualTo(USER);
    });
  }

  @Test
  void aFlowBuiltWithoutWhatAnOperationNeedsSaysWhichPartsAreMissing() {
    assertThatThrownBy(() -> ProvisioningFlow.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("store(...)");
    ProvisioningFlow storeOnly = ProvisioningFlow.builder().store(store).build();
    assertThatThrownBy(() -> storeOnly.run(USER)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("provisioning needs: call policies, device, mfa, pins, stateDir (or pinHistories), tpm");
    assertThatThrownBy(() -> storeOnly.changePin(USER)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a PIN change needs: call policies, device, pins, stateDir (or pinHistories), tpm");
  }

  @Test
  void aSecondRunSaysAlreadyProvisionedAndDoesNothing() throws Exception {
    ProvisioningResult first = flow(ScriptedPins.always(PIN)).build().run(USER);
    ScriptedPins pins = new ScriptedPins(true);
    ProvisioningResult second = flow(pins).build().run(USER);
    assertThat(second.outcome()).isEqualTo(ProvisioningResult.Outcome.ALREADY_PROVISIONED);
    assertThat(second.keyIdHex()).isEqualTo(first.keyIdHex());
    assertThat(second.registration()).isEqualTo(first.registration());
    assertThat(second.events()).isEmpty();
    assertThat(pins.asked()).isEmpty();
    assertThat(mfa).hasValue(1);
    assertThat(endpoint.log()).hasSize(1);
  }

  @Test
  void prerequisitesNoCreatesNothing() throws Exception {
    FlowTestKit.policy(tmp.resolve("policy"), "UsePassportForWork = 0");
    ScriptedPins pins = ScriptedPins.always(PIN);
    List<StepEvent> seen = new java.util.ArrayList<>();
    assertThatThrownBy(() -> flow(pins).listener(seen::add).build().run(USER))
        .isInstanceOfSatisfying(PrerequisitesNotMetException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.PREREQUISITES_NOT_MET);
          assertThat(e.getMessage()).contains("Windows Hello for Business policy is enabled: No");
        });
    assertThat(seen.get(seen.size() - 1)).satisfies(e -> {
      assertThat(e.step()).isEqualTo(StepId.PREREQUISITES);
      assertThat(e.outcome()).isEqualTo(StepOutcome.FAILED);
      assertThat(e.errorCode()).isEqualTo(AgentErrorCode.PREREQUISITES_NOT_MET);
    });
    assertThat(store.find(USER)).isEmpty();
    assertThat(new FlowRecords(store).journal(USER)).isEmpty();
    assertThat(endpoint.log()).isEmpty();
    assertThat(pins.asked()).isEmpty();
    assertThat(mfa).hasValue(0);
  }

  @Test
  void aPinAgainstTheRulesListsEveryUnmetRuleAndCreatesNoKey() throws Exception {
    FlowTestKit.policy(tmp.resolve("policy"), "PINComplexity/MinimumPINLength = 8",
        "PINComplexity/UppercaseLetters = 1", "PINComplexity/SpecialCharacters = 1");
    ScriptedPins stdin = new ScriptedPins(false, "7295");
    assertThatThrownBy(() -> flow(stdin).build().run(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.PIN_RULES_UNMET);
          assertThat(e.getMessage()).containsIgnoringCase("8").containsIgnoringCase("upper")
              .containsIgnoringCase("special").doesNotContain("7295");
        });
    assertThat(store.find(USER)).isEmpty();
    assertThat(endpoint.log()).isEmpty();
    assertThat(stdin.allCleared()).isTrue();

    ProvisioningResult r = flow(new ScriptedPins(false, PIN)).build().run(USER);
    assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
    assertThat(r.resumed()).isTrue();
  }

  @Test
  void aFailedRegistrationIsRetriedByTheNextRunWithTheSameKeyAndTheIdenticalCredential() throws Exception {
    endpoint.breakCalls(RecordingEndpoint.FAIL_REGISTER);
    List<StepEvent> seen = new java.util.ArrayList<>();
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).listener(seen::add).build().run(USER))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_UNREACHABLE));
    assertThat(seen.get(seen.size() - 1)).satisfies(e -> {
      assertThat(e.step()).isEqualTo(StepId.REGISTER);
      assertThat(e.outcome()).isEqualTo(StepOutcome.FAILED);
      assertThat(e.errorCode()).isEqualTo(AgentErrorCode.DRS_UNREACHABLE);
    });
    Journal interrupted = new FlowRecords(store).journal(USER).orElseThrow();
    assertThat(interrupted.state()).isEqualTo(JournalState.CREDENTIAL_BUILT);
    String keyId = store.load(USER).keyIdHex();

    endpoint.heal();
    ScriptedPins pins = new ScriptedPins(true);
    ProvisioningResult r = flow(pins).build().run(USER);
    assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
    assertThat(r.resumed()).isTrue();
    assertThat(r.keyIdHex()).isEqualTo(keyId);
    assertThat(pins.asked()).as("no PIN asked for a reused key").isEmpty();
    assertThat(r.events()).filteredOn(e -> e.outcome().isFinal())
        .extracting(StepEvent::step, StepEvent::outcome).contains(
            org.assertj.core.groups.Tuple.tuple(StepId.PIN, StepOutcome.SKIPPED),
            org.assertj.core.groups.Tuple.tuple(StepId.KEY, StepOutcome.REUSED),
            org.assertj.core.groups.Tuple.tuple(StepId.CREDENTIAL, StepOutcome.REUSED),
            org.assertj.core.groups.Tuple.tuple(StepId.REGISTER, StepOutcome.SUCCEEDED));
    assertThat(endpoint.registered()).singleElement().satisfies(v -> assertThat(v.credentialHex())
        .isEqualTo(HexFormat.of().formatHex(interrupted.registration().keyCredentialLink())));
  }

  @Test
  void aKeyNoProvisioningMadeIsRefusedAndLeftAlone() throws Exception {
    KeyContainer foreign;
    try (var keys = FlowTestKit.keys(root).open(TpmUri.parse("software"))) {
      foreign = keys.create(USER, KeyAlgorithm.ECC_P256, TestPins.pin(PIN));
    }
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).build().run(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_FOREIGN_KEY);
          assertThat(e.getMessage()).contains(foreign.keyIdHex()).contains("keytrust reset --user " + USER);
        });
    assertThat(store.load(USER).keyIdHex()).isEqualTo(foreign.keyIdHex());
    assertThat(endpoint.log()).isEmpty();
  }

  @Test
  void policyRequiringATpmRefusesSoftwareAndCreatesNoKey() throws Exception {
    FlowTestKit.policy(tmp.resolve("policy"), "RequireSecurityDevice = 1");
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).build().run(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_SECURITY_DEVICE_REQUIRED);
          assertThat(e.getMessage()).contains(noTpm.toString()).contains("RequireSecurityDevice");
        });
    assertThat(store.find(USER)).isEmpty();
    assertThat(new FlowRecords(store).journal(USER).orElseThrow().state()).isEqualTo(JournalState.KEY_PENDING);
  }

  @Test
  void aSecondRunForTheSameUserIsBusy() throws Exception {
    try (UserLock lock = new UserRecords(store).lock(USER)) {
      assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).build().run(USER))
          .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_BUSY));
    }
    assertThat(store.find(USER)).isEmpty();
  }

  @Test
  void theKeyOfADoneRunThatWasDeletedAsksForAReset() throws Exception {
    flow(ScriptedPins.always(PIN)).build().run(USER);
    store.delete(USER);
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).build().run(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_KEY_MISSING);
          assertThat(e.getMessage()).contains("keytrust reset --user " + USER);
        });
  }

  @Test
  void pinChangeMakesANewKeyAndRemovesTheOldRegistration() throws Exception {
    ProvisioningResult first = flow(ScriptedPins.always(PIN)).build().run(USER);
    ScriptedPins pins = ScriptedPins.byQuestion(PIN, PIN2);
    ProvisioningResult changed = flow(pins).build().changePin(USER);

    assertThat(changed.outcome()).isEqualTo(ProvisioningResult.Outcome.PIN_CHANGED);
    assertThat(changed.keyIdHex()).isNotEqualTo(first.keyIdHex()).isEqualTo(store.load(USER).keyIdHex());
    assertThat(endpoint.registered()).singleElement()
        .satisfies(v -> assertThat(v.keyIdHex()).isEqualTo(changed.keyIdHex()));
    assertThat(endpoint.log()).last().asString().startsWith("unregister " + first.keyIdHex());
    assertThat(new FlowRecords(store).receipt(USER).orElseThrow().keyIdHex()).isEqualTo(changed.keyIdHex());
    assertThat(new FlowRecords(store).journal(USER).orElseThrow()).satisfies(j -> {
      assertThat(j.state()).isEqualTo(JournalState.DONE);
      assertThat(j.old()).isNull();
    });
    assertThat(pins.allCleared()).isTrue();
    assertThat(mfa).as("the current PIN proves the user; no MFA").hasValue(1);
    // the new PIN works, and the next run knows the user is provisioned
    try (var keys = FlowTestKit.keys(root).open(TpmUri.parse("software"))) {
      keys.sign(USER, new byte[] {1}, TestPins.pin(PIN2));
    }
    assertThat(flow(new ScriptedPins(true)).build().run(USER).outcome())
        .isEqualTo(ProvisioningResult.Outcome.ALREADY_PROVISIONED);
  }

  @Test
  void pinChangeWithAWrongCurrentPinChangesNothing() throws Exception {
    ProvisioningResult first = flow(ScriptedPins.always(PIN)).build().run(USER);
    assertThatThrownBy(() -> flow(ScriptedPins.byQuestion(PIN2, PIN2)).build().changePin(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.WRONG_PIN));
    assertThat(store.load(USER).keyIdHex()).isEqualTo(first.keyIdHex());
    assertThat(endpoint.registered()).hasSize(1);
    assertThat(new FlowRecords(store).journal(USER).orElseThrow().state()).isEqualTo(JournalState.DONE);
  }

  @Test
  void pinChangeOfAnUnprovisionedUserSaysToProvision() throws Exception {
    assertThatThrownBy(() -> flow(ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_NOT_PROVISIONED));
  }

  @Test
  void resetRemovesRegistrationKeyHistoryAndRecordsAndIsIdempotent() throws Exception {
    flow(ScriptedPins.always(PIN)).build().run(USER);
    ProvisioningResult r = flow(new ScriptedPins(true)).build().reset(USER);
    assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.RESET);
    assertThat(store.find(USER)).isEmpty();
    assertThat(endpoint.registered()).isEmpty();
    assertThat(new FlowRecords(store).journal(USER)).isEmpty();
    assertThat(new FlowRecords(store).receipt(USER)).isEmpty();
    assertThat(flow(new ScriptedPins(true)).build().reset(USER).outcome())
        .isEqualTo(ProvisioningResult.Outcome.NOTHING_TO_RESET);
    // and provisioning works again
    assertThat(flow(ScriptedPins.always(PIN)).build().run(USER).outcome())
        .isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
  }

  @Test
  void resetRemovesAForeignKeyAndARegistrationAnInterruptedRunMayHaveSent() throws Exception {
    endpoint.breakCalls(RecordingEndpoint.FAIL_UNREGISTER);
    flow(ScriptedPins.always(PIN)).build().run(USER);
    assertThatThrownBy(() -> flow(new ScriptedPins(true)).build().reset(USER))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_UNREACHABLE));
    assertThat(store.find(USER)).isPresent();
    assertThat(new FlowRecords(store).journal(USER).orElseThrow().state()).isEqualTo(JournalState.RESET_STARTED);
    // provisioning refuses while the reset is unfinished
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).build().run(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_OTHER_OPERATION_PENDING);
          assertThat(e.getMessage()).contains("keytrust reset --user " + USER);
        });
    endpoint.heal();
    ProvisioningResult r = flow(new ScriptedPins(true)).build().reset(USER);
    assertThat(r.resumed()).isTrue();
    assertThat(store.find(USER)).isEmpty();
    assertThat(endpoint.registered()).isEmpty();
  }

  @Test
  void resetWithoutAnEndpointSaysWhereTheKeyWasRegistered() throws Exception {
    flow(ScriptedPins.always(PIN)).build().run(USER);
    ProvisioningFlow noEndpoint = ProvisioningFlow.builder().store(store).build();
    assertThatThrownBy(() -> noEndpoint.reset(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_ENDPOINT_REQUIRED);
          assertThat(e.code().badInput()).isTrue();
          assertThat(e.getMessage()).contains(endpoint.describe());
        });
  }

  @Test
  void provisioningWithoutAnEndpointFailsBeforeAnythingIsAskedOrCreated() throws Exception {
    ScriptedPins pins = ScriptedPins.always(PIN);
    ProvisioningFlow noEndpoint = ProvisioningFlow.builder().store(store).tpm(TpmUri.parse("software"))
        .policies(new PolicyResolver(java.nio.file.Files.createDirectories(tmp.resolve("policy"))))
        .device(FlowTestKit.device()).mfa(FlowTestKit.mfa(mfa)).pins(pins)
        .stateDir(tmp.resolve("state")).build();
    assertThatThrownBy(() -> noEndpoint.run(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_ENDPOINT_REQUIRED);
          assertThat(e.getMessage()).contains("--endpoint").contains("Nothing was asked or created");
        });
    assertThat(pins.asked()).isEmpty();
    assertThat(mfa).hasValue(0);
    assertThat(store.find(USER)).isEmpty();
  }

  @Test
  void resetAtAnotherEndpointThanTheRegistrationsIsRefusedAndChangesNothing() throws Exception {
    flow(ScriptedPins.always(PIN)).build().run(USER);
    RecordingEndpoint other = new RecordingEndpoint(tmp.resolve("other-endpoint"));
    ProvisioningFlow elsewhere = ProvisioningFlow.builder().store(store).endpoint(other).build();
    assertThatThrownBy(() -> elsewhere.reset(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_ENDPOINT_MISMATCH);
          assertThat(e.code().badInput()).isTrue();
          assertThat(e.getMessage()).contains(endpoint.describe()).contains(other.describe());
        });
    assertThat(store.find(USER)).isPresent();
    assertThat(endpoint.registered()).hasSize(1);
  }

  @Test
  void anEndpointThatRefusesTheAlgorithmStopsProvisioningBeforeAnythingIsAskedOrCreated() throws Exception {
    ScriptedPins pins = ScriptedPins.always(PIN);
    KeyRegistrationEndpoint rsaOnly = new KeyRegistrationEndpoint() {
      @Override
      public RegistrationReceipt register(KeyRegistration registration) {
        throw new AssertionError("nothing may be registered");
      }

      @Override
      public void unregister(KeyRegistration registration) {
        throw new AssertionError("nothing may be unregistered");
      }

      @Override
      public String describe() {
        return "rsa-only:test";
      }

      @Override
      public java.util.Optional<String> refuses(KeyAlgorithm algorithm) {
        return algorithm == KeyAlgorithm.RSA_2048 ? java.util.Optional.empty()
            : java.util.Optional.of("it takes RSA keys only");
      }

      @Override
      public void close() {}
    };
    ProvisioningFlow p256 = flow(pins).endpoint(rsaOnly).algorithm(KeyAlgorithm.ECC_P256).build();
    assertThatThrownBy(() -> p256.run(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_ALGORITHM_NOT_ACCEPTED);
          assertThat(e.getMessage()).contains("p256", "rsa-only:test", "RSA keys only", "--alg rsa2048");
        });
    assertThat(pins.asked()).isEmpty();
    assertThat(mfa).hasValue(0);
    assertThat(store.find(USER)).isEmpty();
    assertThat(new FlowRecords(store).journal(USER)).isEmpty();
  }
}
