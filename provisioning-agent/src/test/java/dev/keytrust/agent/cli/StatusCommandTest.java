package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.flow.FlowTestKit.ScriptedPins;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.flow.RecordingEndpoint;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keytrust status} in-process: provisioned and unprovisioned users, prerequisites, policy, TPMs. */
class StatusCommandTest {
  static final String USER = FlowTestKit.USER;

  @TempDir Path tmp;
  Path store;
  Path device;
  String noTpm;
  final ObjectMapper mapper = new ObjectMapper();

  @BeforeEach
  void setUp() throws Exception {
    store = tmp.resolve("keys");
    device = tmp.resolve("device.conf");
    Files.writeString(device, DeviceContextFile.format(FlowTestKit.device()));
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      noTpm = "mssim://127.0.0.1:" + s.getLocalPort(); // closed again: nothing listens
    }
  }

  CliRunner.Result status(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "status";
    System.arraycopy(args, 0, all, 1, args.length);
    CliRunner.Result r = new CliRunner().env(Map.of()).run(all);
    // Report wraps long values after ", ": join the continuation lines again
    return new CliRunner.Result(r.exitCode(), r.out().replaceAll(",\n +", ", "), r.err());
  }

  /** Provisions USER with the real flow: software key (no TPM answers), recording endpoint. */
  ProvisioningResult provision() throws Exception {
    RecordingEndpoint endpoint = new RecordingEndpoint(tmp.resolve("endpoint"));
    return FlowTestKit.flow(store, tmp.resolve("flow"), dev.keytrust.tpm.TpmUri.parse(noTpm),
        ScriptedPins.always(FlowTestKit.PIN), endpoint, new AtomicInteger()).build().run(USER);
  }

  @Test
  void provisionedUserAsTable() throws Exception {
    ProvisioningResult r = provision();
    KeyContainer key = new KeyContainerStore(store).load(USER);

    CliRunner.Result out = status("--user", USER, "--store", store.toString(), "--device", device.toString(),
        "--tpm", noTpm);

    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(out.err()).isEmpty();
    String t = out.out();
    assertThat(t).contains("| Device State ", "| TPM and Key Provider ", "| User State ",
        "| Ngc Prerequisite Check ", "| Effective Policy ");
    assertThat(t).containsPattern("AzureAdJoined : YES\n").containsPattern("DomainJoined : YES\n")
        .contains("DeviceId : " + FlowTestKit.DEVICE_ID).contains("TenantId : " + FlowTestKit.TENANT);
    assertThat(t).contains("NgcSet : YES").contains("NgcKeyId : " + key.keyIdHex())
        .contains("Key provider : software").contains("Algorithm : rsa2048")
        .contains("Created : " + key.createdAt());
    assertThat(t).contains("Registration endpoint : recording:").contains("Registered at : ")
        .contains("Last operation : provision: DONE").contains("Sync state : in sync");
    assertThat(r.keyIdHex()).isEqualTo(key.keyIdHex());
    assertThat(t).contains("PreReqResult : WillProvision (event 358)");
  }

  @Test
  void provisionedUserAsJson() throws Exception {
    provision();
    KeyContainer key = new KeyContainerStore(store).load(USER);

    CliRunner.Result out = status("--user", USER, "--store", store.toString(), "--device", device.toString(),
        "--tpm", noTpm, "--json");

    assertThat(out.exitCode()).as(out.err()).isZero();
    JsonNode j = mapper.readTree(out.out());
    assertThat(j.fieldNames()).toIterable().containsExactly("device", "tpm", "user", "prerequisites", "policy");
    assertThat(j.at("/device/joinState").asText()).isEqualTo("hybrid");
    assertThat(j.at("/device/azureAdJoined").asBoolean()).isTrue();
    assertThat(j.at("/device/deviceId").asText()).isEqualTo(FlowTestKit.DEVICE_ID);
    assertThat(j.at("/user/ngcSet").asBoolean()).isTrue();
    assertThat(j.at("/user/key/keyId").asText()).isEqualTo(key.keyIdHex());
    assertThat(j.at("/user/key/provider").asText()).isEqualTo("software");
    assertThat(j.at("/user/key/algorithm").asText()).isEqualTo("rsa2048");
    assertThat(j.at("/user/key/created").asText()).isEqualTo(key.createdAt().toString());
    assertThat(j.at("/user/registration/keyId").asText()).isEqualTo(key.keyIdHex());
    assertThat(j.at("/user/registration/endpoint").asText()).startsWith("recording:");
    assertThat(j.at("/user/registration/registeredAt").asText()).isNotEmpty();
    assertThat(j.at("/user/journal/operation").asText()).isEqualTo("provision");
    assertThat(j.at("/user/journal/state").asText()).isEqualTo("DONE");
    assertThat(j.at("/user/journal/inProgress").asBoolean()).isFalse();
    assertThat(j.at("/user/syncState").asText()).startsWith("in sync");
    assertThat(j.at("/prerequisites/result").asText()).isEqualTo("WillProvision");
    assertThat(j.at("/prerequisites/checks/0/answer").asText()).isEqualTo("Yes");
    assertThat(j.at("/tpm/reachable").asBoolean()).isFalse();
    assertThat(j.at("/tpm/error/code").asText()).isEqualTo("KT-0101");
    assertThat(j.at("/tpm/keyProvider/provider").asText()).isEqualTo("software");
    assertThat(j.at("/policy/settings/0/name").asText()).isEqualTo("UsePassportForWork");
    assertThat(j.at("/policy/settings/0/origin").asText()).isEqualTo("default");
  }

  @Test
  void userWithoutKey() throws Exception {
    CliRunner.Result out = status("--user", "bob", "--store", store.toString(), "--device", device.toString(),
        "--tpm", noTpm);

    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(out.out()).contains("User : bob").contains("NgcSet : NO").doesNotContain("NgcKeyId")
        .contains("Registration : none recorded").contains("Sync state : not provisioned");

    JsonNode j = mapper.readTree(status("--user", "bob", "--store", store.toString(), "--tpm", noTpm, "--json").out());
    assertThat(j.at("/user/ngcSet").asBoolean()).isFalse();
    assertThat(j.at("/user/key").isNull()).isTrue();
    assertThat(j.at("/user/registration").isNull()).isTrue();
    assertThat(j.at("/user/journal").isNull()).isTrue();
  }

  @Test
  void prerequisitesNoWithReasons() throws Exception {
    Files.writeString(device, "join = domain\nsession.remote = yes\ntpm = absent\n");
    Path policy = tmp.resolve("policy");
    FlowTestKit.policy(policy, "RequireSecurityDevice = 1");

    CliRunner.Result out = status("--user", USER, "--store", store.toString(), "--device", device.toString(),
        "--policy-dir", policy.toString(), "--tpm", noTpm);

    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(out.out())
        .contains("IsDeviceJoined : NO (domain joined only")
        .contains("SessionIsNotRemote : NO (the session is remote (device context " + device + ": session.remote = yes)")
        .contains("DeviceEligible : NO (RequireSecurityDevice = true (computer GPO ")
        .contains("IsUserAzureAD : NOT TESTED (not tested: the device is not Entra or hybrid joined)")
        .contains("PreReqResult : WillNotProvision (event 360)");
    JsonNode j = mapper.readTree(status("--user", USER, "--store", store.toString(), "--device", device.toString(),
        "--policy-dir", policy.toString(), "--tpm", noTpm, "--json").out());
    assertThat(j.at("/prerequisites/result").asText()).isEqualTo("WillNotProvision");
    assertThat(j.at("/prerequisites/eventId").asInt()).isEqualTo(360);
    assertThat(j.at("/prerequisites/checks/0/id").asText()).isEqualTo("deviceJoined");
    assertThat(j.at("/prerequisites/checks/0/answer").asText()).isEqualTo("No");
    assertThat(j.at("/prerequisites/checks/0/blocking").asBoolean()).isTrue();
    assertThat(j.at("/prerequisites/checks/0/reason").asText()).contains("domain joined only");
  }

  @Test
  void policySourcesShown() throws Exception {
    Path policy = tmp.resolve("policy");
    FlowTestKit.policy(policy, "# computer", "PINComplexity/MinimumPINLength = 8", "RequireSecurityDevice = 1");
    Path userFile = policy.resolve("users/" + USER + "/mdm.properties");
    Files.createDirectories(userFile.getParent());
    Files.writeString(userFile, "PINComplexity/History = 5\nPINComplexity/MinimumPINLength = 10\n");
    Path computer = policy.resolve("computer/gpo.properties");

    CliRunner.Result out = status("--user", USER, "--store", store.toString(), "--device", device.toString(),
        "--policy-dir", policy.toString(), "--tpm", noTpm);

    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(out.out())
        .contains("Machine policy : enrollment authority")
        .contains("PINComplexity/MinimumPINLength : 8 (computer GPO " + computer + ":2), ignored: 10 (user MDM "
            + userFile + ":2)")
        .contains("PINComplexity/History : 5 (user MDM " + userFile + ":1)")
        .contains("UsePassportForWork : true (default)")
        .contains("RequireSecurityDevice : true (computer GPO " + computer + ":3)")
        // no TPM answers and policy requires one: provisioning would stop
        .contains("KeyProvider : none")
        .containsPattern("Provider reason : none: no usable TPM at mssim://127\\.0\\.0\\.1:\\d+ \\(KT-0101\\), and"
            + " RequireSecurityDevice = true");

    JsonNode j = mapper.readTree(status("--user", USER, "--store", store.toString(), "--policy-dir",
        policy.toString(), "--tpm", noTpm, "--json").out());
    JsonNode min = j.at("/policy/settings").findParents("name").stream()
        .filter(n -> n.get("name").asText().equals("PINComplexity/MinimumPINLength")).findFirst().orElseThrow();
    assertThat(min.get("value").asInt()).isEqualTo(8);
    assertThat(min.get("origin").asText()).isEqualTo("computer GPO");
    assertThat(min.get("file").asText()).isEqualTo(computer.toString());
    assertThat(min.get("line").asInt()).isEqualTo(2);
    assertThat(min.at("/ignored/0/origin").asText()).isEqualTo("user MDM");
    assertThat(j.at("/tpm/keyProvider/provider").isNull()).isTrue();
    assertThat(j.at("/tpm/keyProvider/requireSecurityDevice").asBoolean()).isTrue();
  }

  @Test
  void unreachableTpmIsALine() {
    CliRunner.Result out = status("--tpm", noTpm, "--store", store.toString());

    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(out.err()).isEmpty();
    assertThat(out.out()).contains("TPM : " + noTpm + " (--tpm)")
        .containsPattern("TPM reachable : NO: .*\\[KT-0101\\]")
        .contains("KeyProvider : software")
        .contains("TpmProtected : NO")
        .contains("Provider reason : no usable TPM at " + noTpm + " (KT-0101): software key, allowed by policy"
            + " (RequireSecurityDevice = false (default))");
  }

  @Test
  void withoutDeviceContextTheLinesThatNeedItAreNotTested() throws Exception {
    CliRunner.Result out = status("--user", "bob", "--store", store.toString(), "--tpm", noTpm);

    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(out.out())
        .contains("Device context : none (give one with --device FILE)")
        .contains("AzureAdJoined : UNKNOWN")
        .containsPattern("Unknown : join state, device id, tenant")
        .containsPattern("Remote session : (YES|NO) \\(")
        .contains("IsDeviceJoined : NOT TESTED (not tested: no device context (give one with --device FILE),"
            + " so the join state is unknown)")
        .contains("IsUserAzureAD : NOT TESTED (not tested: no device context")
        .contains("OnPremUpnSupported : NOT TESTED (not tested: no device context");
    // a device file that does not exist is reported the same way
    Path missing = tmp.resolve("nope.conf");
    CliRunner.Result m = status("--device", missing.toString(), "--store", store.toString(), "--tpm", noTpm, "--json");
    assertThat(m.exitCode()).as(m.err()).isZero();
    JsonNode j = mapper.readTree(m.out());
    assertThat(j.at("/device/contextState").asText()).isEqualTo("not found");
    assertThat(j.at("/device/joinState").isNull()).isTrue();
    assertThat(j.at("/prerequisites/checks/0/answer").asText()).isEqualTo("Not Tested");
    assertThat(j.at("/prerequisites/checks/0/reason").asText()).contains(missing + " does not exist");
  }

  @Test
  void malformedFilesAreBadInputNamingTheFile() throws Exception {
    Files.writeString(device, "join = sideways\n");
    CliRunner.Result out = status("--device", device.toString(), "--store", store.toString(), "--tpm", noTpm);
    assertThat(out.exitCode()).isEqualTo(2);
    assertThat(out.out()).isEmpty();
    assertThat(out.err()).startsWith("keytrust: Device context " + device + ":1 ").contains("[KT-1201]");

    // a damaged flow record of the user
    provision();
    Path receipt = store.resolve(".records");
    Path file;
    try (var files = Files.walk(receipt)) {
      file = files.filter(p -> p.getFileName().toString().equals("receipt")).findFirst().orElseThrow();
    }
    Files.writeString(file, "garbage\n");
    CliRunner.Result bad = status("--user", USER, "--store", store.toString(), "--tpm", noTpm);
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains(file.toString()).contains("[KT-0303]");
  }

  @Test
  void softwareSelectedIsNotProbed() {
    CliRunner.Result out = status("--tpm", "software", "--store", store.toString(), "--json");
    assertThat(out.exitCode()).as(out.err()).isZero();
    assertThat(out.out()).contains("\"provider\": \"software\"").contains("\"reachable\": false")
        .contains("\"error\": null");
  }
}
