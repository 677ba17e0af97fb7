package dev.keytrust.agent.flow;

import static dev.keytrust.agent.flow.FlowTestKit.PIN;
import static dev.keytrust.agent.flow.FlowTestKit.PIN2;
import static dev.keytrust.agent.flow.FlowTestKit.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowTestKit.ScriptedPins;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 13: an endpoint that cannot remove keys (a key service without keytrust's DELETE,
 * KT-1615) no longer leaves a reset half done and failing the same way at every rerun.
 */
class RegistrationRemainsTest {
  @TempDir Path tmp;
  Path root;
  KeyContainerStore store;
  RecordingEndpoint endpoint;
  AtomicInteger mfa = new AtomicInteger();

  @BeforeEach
  void setUp() {
    root = tmp.resolve("keys");
    store = new KeyContainerStore(root);
    endpoint = new RecordingEndpoint(tmp.resolve("endpoint"));
  }

  ProvisioningFlow.Builder flow(ScriptedPins pins) throws Exception {
    return FlowTestKit.flow(root, tmp, TpmUri.parse("software"), pins, endpoint, mfa);
  }

  @Test
  void resetRemovesTheRestSaysPlainlyThatTheRegistrationRemainsKeepsItOnRecordAndRetries() throws Exception {
    ProvisioningResult provisioned = flow(ScriptedPins.always(PIN)).build().run(USER);
    endpoint.breakCalls(RecordingEndpoint.NO_REMOVAL);
    List<StepEvent> events = new java.util.ArrayList<>();

    assertThatThrownBy(() -> flow(new ScriptedPins(true)).listener(events::add).build().reset(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_REGISTRATION_REMAINS);
          assertThat(e.getMessage())
              .contains("remains at " + endpoint.describe())
              .contains("KT-1615")
              .contains("keytrust status --user " + USER)
              .contains("keytrust reset --user " + USER)
              .contains("keytrust provision --user " + USER);
        });
    // the step said what happened; the rest of the reset ran
    assertThat(events).filteredOn(e -> e.step() == StepId.UNREGISTER && e.outcome() == StepOutcome.FAILED)
        .singleElement().satisfies(e -> assertThat(e.errorCode()).isEqualTo(AgentErrorCode.DRS_UNREGISTER_UNSUPPORTED));
    assertThat(events).filteredOn(e -> e.outcome() == StepOutcome.SUCCEEDED).extracting(StepEvent::step)
        .containsExactly(StepId.DELETE_KEY, StepId.CLEAR);
    assertThat(store.find(USER)).isEmpty();
    FlowRecords records = new FlowRecords(store);
    assertThat(records.journal(USER)).isEmpty();
    assertThat(records.receipt(USER)).isEmpty();
    // the registration is still there, and on record for status
    assertThat(endpoint.registered()).singleElement()
        .satisfies(v -> assertThat(v.keyIdHex()).isEqualTo(provisioned.keyIdHex()));
    FlowStatus status = FlowStatus.read(store, USER);
    assertThat(status.remaining()).singleElement().satisfies(r -> {
      assertThat(r.keyIdHex()).isEqualTo(provisioned.keyIdHex());
      assertThat(r.endpoint()).isEqualTo(endpoint.describe());
      assertThat(r.errorCode()).isEqualTo("KT-1615");
    });

    // provisioning works now, and does not touch the remaining registration
    ProvisioningResult again = flow(ScriptedPins.always(PIN2)).build().run(USER);
    assertThat(again.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
    assertThat(FlowStatus.read(store, USER).remaining()).hasSize(1);

    // a later reset retries it: still refused, still kept (once), and the new registration too
    assertThatThrownBy(() -> flow(new ScriptedPins(true)).build().reset(USER))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_REGISTRATION_REMAINS));
    assertThat(FlowStatus.read(store, USER).remaining()).extracting(RemainingRegistration::keyIdHex)
        .containsExactly(provisioned.keyIdHex(), again.keyIdHex());
    assertThat(FlowStatus.read(store, USER).remaining().get(0).since())
        .isEqualTo(status.remaining().get(0).since());

    // once the endpoint removes keys, the next reset removes them and the record
    endpoint.heal();
    ProvisioningResult done = flow(new ScriptedPins(true)).build().reset(USER);
    assertThat(done.outcome()).isEqualTo(ProvisioningResult.Outcome.RESET);
    assertThat(endpoint.registered()).isEmpty();
    assertThat(FlowStatus.read(store, USER).remaining()).isEmpty();
    assertThat(flow(new ScriptedPins(true)).build().reset(USER).outcome())
        .isEqualTo(ProvisioningResult.Outcome.NOTHING_TO_RESET);
  }

  @Test
  void aResetWithOnlyARemainingRegistrationNeedsTheEndpointThatHoldsIt() throws Exception {
    flow(ScriptedPins.always(PIN)).build().run(USER);
    endpoint.breakCalls(RecordingEndpoint.NO_REMOVAL);
    assertThatThrownBy(() -> flow(new ScriptedPins(true)).build().reset(USER)).isInstanceOf(KeytrustException.class);
    ProvisioningFlow noEndpoint = ProvisioningFlow.builder().store(store).build();
    assertThatThrownBy(() -> noEndpoint.reset(USER))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_ENDPOINT_REQUIRED);
          assertThat(e.getMessage()).contains(endpoint.describe());
        });
  }

  @Test
  void aPinChangeAgainstSuchAnEndpointFinishesAndKeepsTheOldRegistrationOnRecord() throws Exception {
    ProvisioningResult first = flow(ScriptedPins.always(PIN)).build().run(USER);
    endpoint.breakCalls(RecordingEndpoint.NO_REMOVAL);
    ProvisioningResult changed = flow(ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER);
    assertThat(changed.outcome()).isEqualTo(ProvisioningResult.Outcome.PIN_CHANGED);
    assertThat(new FlowRecords(store).journal(USER).orElseThrow().state()).isEqualTo(JournalState.DONE);
    assertThat(FlowStatus.read(store, USER).remaining()).extracting(RemainingRegistration::keyIdHex)
        .containsExactly(first.keyIdHex());
  }
}
