package dev.keytrust.agent.audit;

import static dev.keytrust.agent.flow.FlowTestKit.PIN;
import static dev.keytrust.agent.flow.FlowTestKit.PIN2;
import static dev.keytrust.agent.flow.FlowTestKit.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.flow.FlowTestKit.ScriptedPins;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.flow.RecordingEndpoint;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.JoinState;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 18: the flow's events in the audit file, with their ids: 358/360, every step,
 * provisioned/failed, registrations added/removed/left, wrong PIN; and no secret in any line.
 */
class AuditTrailTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Path root;
  RecordingEndpoint endpoint;
  AuditFile file;
  AuditTrail trail;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("keys");
    endpoint = new RecordingEndpoint(tmp.resolve("endpoint"));
    file = new AuditFile(tmp.resolve("audit"));
    trail = AuditTrail.of(List.of(file), Clock.systemUTC());
  }

  ProvisioningFlow.Builder flow(ScriptedPins pins) throws Exception {
    return FlowTestKit.flow(root, tmp, TpmUri.parse("software"), pins, endpoint, new AtomicInteger())
        .auditor(trail);
  }

  List<JsonNode> events() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file.file())) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  List<String> names() throws Exception {
    return events().stream().map(e -> e.get("event").asText()).toList();
  }

  @Test
  void provisioningPinChangeAndResetAreAudited() throws Exception {
    ProvisioningResult p = flow(ScriptedPins.always(PIN)).build().run(USER);
    List<JsonNode> events = events();
    assertThat(names()).containsSubsequence("step", "prerequisites-met", "step", "step", "step", "step",
        "step", "registration-added", "step", "provisioned");
    JsonNode met = events.stream().filter(e -> e.get("eventId").asInt() == 358).findFirst().orElseThrow();
    assertThat(met.get("step").asText()).isEqualTo("prerequisites");
    assertThat(met.get("user").asText()).isEqualTo(USER);
    assertThat(met.get("runId").asText()).isEqualTo(p.runId());
    JsonNode done = events.get(events.size() - 1);
    assertThat(done.get("eventId").asInt()).isEqualTo(9010);
    assertThat(done.get("outcome").asText()).isEqualTo("PROVISIONED");
    assertThat(done.get("keyId").asText()).isEqualTo(p.keyIdHex());
    assertThat(done.get("endpoint").asText()).isEqualTo(endpoint.describe());
    assertThat(events.stream().filter(e -> e.get("event").asText().equals("step")))
        .allSatisfy(e -> assertThat(e.get("durationMs").isNumber()).isTrue())
        .extracting(e -> e.get("step").asText())
        .containsExactly("policy", "prerequisites", "mfa", "pin", "key", "credential", "register", "receipt");

    // a wrong current PIN in a PIN change
    assertThatThrownBy(() -> flow(ScriptedPins.byQuestion(PIN2, PIN2)).build().changePin(USER))
        .isInstanceOf(KeytrustException.class);
    assertThat(names()).containsSubsequence("wrong-pin", "pin-change-failed");
    JsonNode failed = events().get(events().size() - 1);
    assertThat(failed.get("eventId").asInt()).isEqualTo(9013);
    assertThat(failed.get("errorCode").asText()).isEqualTo("KT-0201");
    assertThat(failed.get("runId").isNull()).isFalse();

    // a PIN change, then a reset at an endpoint that cannot remove keys, then one that can
    flow(ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER);
    assertThat(names()).containsSubsequence("registration-added", "registration-removed", "pin-changed");
    endpoint.breakCalls(RecordingEndpoint.NO_REMOVAL);
    assertThatThrownBy(() -> flow(new ScriptedPins(true)).build().reset(USER)).isInstanceOf(KeytrustException.class);
    assertThat(names()).containsSubsequence("registration-remains", "reset-failed");
    assertThat(events().get(events().size() - 1).get("errorCode").asText()).isEqualTo("KT-1520");
    endpoint.heal();
    flow(new ScriptedPins(true)).build().reset(USER);
    assertThat(names()).containsSubsequence("registration-removed", "reset");
    assertNoSecrets();
  }

  @Test
  void prerequisitesNotMetIsEvent360() throws Exception {
    DeviceContext notJoined = FlowTestKit.device().toBuilder().joinState(JoinState.NOT_JOINED).build();
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).device(notJoined).build().run(USER))
        .isInstanceOf(KeytrustException.class);
    assertThat(names()).containsExactly("step", "step", "prerequisites-not-met", "provision-failed");
    JsonNode e360 = events().get(2);
    assertThat(e360.get("eventId").asInt()).isEqualTo(360);
    assertThat(e360.get("errorCode").asText()).isEqualTo("KT-1203");
    assertThat(events().get(3).get("eventId").asInt()).isEqualTo(9011);
  }

  @Test
  void anAuditFileThatCannotBeWrittenDoesNotStopProvisioning() throws Exception {
    Files.writeString(tmp.resolve("blocked"), "a file where the folder should be");
    AuditTrail broken = AuditTrail.of(List.of(new AuditFile(tmp.resolve("blocked"))), Clock.systemUTC());
    ProvisioningResult r = FlowTestKit.flow(root, tmp, TpmUri.parse("software"), ScriptedPins.always(PIN), endpoint,
        new AtomicInteger()).auditor(broken).build().run(USER);
    assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
  }

  void assertNoSecrets() throws Exception {
    String all = Files.readString(file.file());
    assertThat(all).doesNotContain(PIN).doesNotContain(PIN2);
  }
}
