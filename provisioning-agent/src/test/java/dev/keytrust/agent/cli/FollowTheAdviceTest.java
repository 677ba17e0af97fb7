package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.flow.RecordingEndpoint;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.key.KeyContainerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 14: advice that loops. Each test damages the records the way a disk or an editor does,
 * then does literally what keytrust says ({@link AdviceFollower}: delete the files it names, run the
 * first command it names) and requires that this ends with a provisioned user, without running into
 * the same error twice.
 */
class FollowTheAdviceTest {
  static final String USER = FlowTestKit.USER;
  static final String PIN = FlowTestKit.PIN;
  static final String PIN2 = FlowTestKit.PIN2;

  @TempDir Path work;
  Path store;
  Path state;
  Path policy;
  Path deviceFile;
  Path totpFile;
  RecordingEndpoint endpoint;

  @BeforeEach
  void setUp() throws Exception {
    store = work.resolve("keys");
    state = work.resolve("state");
    policy = Files.createDirectories(work.resolve("policy"));
    FlowTestKit.policy(policy, "RequireSecurityDevice = false");
    deviceFile = work.resolve("device.conf");
    Files.writeString(deviceFile, DeviceContextFile.format(FlowTestKit.device()));
    totpFile = work.resolve("alice.totp");
    Files.writeString(totpFile, FlowCliTest.SECRET_BASE32 + "\n");
    Files.setPosixFilePermissions(totpFile, PosixFilePermissions.fromString("rw-------"));
    endpoint = new RecordingEndpoint(work.resolve("endpoint"));
  }

  /** The options this user always passes, by command; PINs and the TOTP code on stdin. */
  AdviceFollower.Step run(List<String> words, List<Path> deleted) {
    List<String> args = new ArrayList<>(words);
    String command = words.get(0).equals("pin") || words.get(0).equals("keys") ? words.get(0) + " " + words.get(1)
        : words.get(0);
    String stdin = "";
    switch (command) {
      case "provision" -> {
        args.addAll(List.of("--alg", "p256", "--policy-dir", policy.toString(), "--device", deviceFile.toString(),
            "--mfa", "totp:secret-file=" + totpFile, "--mfa-code-stdin", "--pin-stdin", "--tpm", "software",
            "--store", store.toString(), "--state-dir", state.toString(), "--endpoint", "recording:" + endpoint.dir()));
        stdin = FlowCliTest.code(0) + "\n" + PIN + "\n";
      }
      case "pin change" -> {
        args.addAll(List.of("--alg", "p256", "--policy-dir", policy.toString(), "--device", deviceFile.toString(),
            "--pin-stdin", "--tpm", "software", "--store", store.toString(), "--state-dir", state.toString(),
            "--endpoint", "recording:" + endpoint.dir()));
        stdin = PIN + "\n" + PIN2 + "\n";
      }
      case "reset" -> args.addAll(List.of("--store", store.toString(), "--state-dir", state.toString(),
          "--endpoint", "recording:" + endpoint.dir()));
      case "status" -> args.addAll(List.of("--store", store.toString(), "--tpm", "software", "--policy-dir",
          policy.toString(), "--device", deviceFile.toString()));
      default -> throw new AssertionError("keytrust advised a command this test does not know: " + words);
    }
    CliRunner.Result r = new CliRunner().stdin(stdin).run(args.toArray(String[]::new));
    return new AdviceFollower.Step(words, r.exitCode(), r.out(), r.err(), deleted);
  }

  static boolean provisioned(AdviceFollower.Step s) {
    return s.command().get(0).equals("provision") && s.exit() == 0
        && (s.out().contains("Outcome : PROVISIONED") || s.out().contains("Outcome : ALREADY_PROVISIONED"));
  }

  /** Follows the advice from {@code first} and requires a provisioned user, without a repeated error. */
  List<AdviceFollower.Step> followToProvisioned(String... first) {
    List<AdviceFollower.Step> steps = new AdviceFollower(this::run).follow(List.of(first),
        FollowTheAdviceTest::provisioned, 8);
    String transcript = String.join("\n\n", steps.stream().map(Object::toString).toList());
    assertThat(provisioned(steps.get(steps.size() - 1))).as("the advice ends in a provisioned user:\n" + transcript)
        .isTrue();
    Set<String> errors = new HashSet<>();
    for (AdviceFollower.Step s : steps) {
      if (s.exit() != 0) {
        assertThat(errors.add(s.errorLine())).as("the same error twice:\n" + transcript).isTrue();
      }
    }
    return steps;
  }

  Path record(String name) {
    return store.resolve(".records").resolve(USER).resolve(name);
  }

  static void flipLastByte(Path file) throws Exception {
    byte[] b = Files.readAllBytes(file);
    b[b.length - 2] ^= 0x01;
    Files.write(file, b);
  }

  void provision() {
    assertThat(provisioned(run(List.of("provision", "--user", USER), List.of()))).isTrue();
  }

  @Test
  void aDamagedJournal() throws Exception {
    provision();
    String keyId = new KeyContainerStore(store).load(USER).keyIdHex();
    flipLastByte(record("journal"));

    List<AdviceFollower.Step> steps = followToProvisioned("provision", "--user", USER);

    assertThat(steps.get(0).errorLine()).contains("KT-0303").contains("`rm " + record("journal") + "`");
    assertThat(steps).hasSize(2);
    assertThat(steps.get(1).deleted()).containsExactly(record("journal"));
    // the same key, still registered once; the journal is back and status tells one story
    assertThat(new KeyContainerStore(store).load(USER).keyIdHex()).isEqualTo(keyId);
    assertThat(endpoint.registered()).singleElement().satisfies(v -> assertThat(v.keyIdHex()).isEqualTo(keyId));
    AdviceFollower.Step status = run(List.of("status", "--user", USER), List.of());
    assertThat(status.out()).contains("in sync");
  }

  @Test
  void aDamagedJournalFoundByStatus() throws Exception {
    provision();
    flipLastByte(record("journal"));
    followToProvisioned("status", "--user", USER);
  }

  @Test
  void aDamagedReceipt() throws Exception {
    provision();
    flipLastByte(record("receipt"));
    List<AdviceFollower.Step> steps = followToProvisioned("provision", "--user", USER);
    assertThat(steps).hasSize(2);
    assertThat(run(List.of("status", "--user", USER), List.of()).out()).contains("in sync");
  }

  @Test
  void aDamagedJournalAndReceipt() throws Exception {
    provision();
    flipLastByte(record("journal"));
    flipLastByte(record("receipt"));
    List<AdviceFollower.Step> steps = followToProvisioned("provision", "--user", USER);
    // journal, receipt, then a key no record names: reset, then provision
    assertThat(steps).extracting(s -> s.command().get(0))
        .containsExactly("provision", "provision", "provision", "reset", "provision");
    assertThat(steps.get(2).errorLine()).contains("KT-1501");
  }

  @Test
  void aDamagedJournalOfAnInterruptedPinChangeAtAServiceThatCannotRemoveKeys() throws Exception {
    provision();
    String first = new KeyContainerStore(store).load(USER).keyIdHex();
    endpoint.breakCalls(RecordingEndpoint.FAIL_REGISTER);
    AdviceFollower.Step change = run(List.of("pin", "change", "--user", USER), List.of());
    assertThat(change.exit()).as(change.toString()).isEqualTo(1);
    endpoint.heal();
    endpoint.breakCalls(RecordingEndpoint.NO_REMOVAL);
    flipLastByte(record("journal"));

    List<AdviceFollower.Step> steps = followToProvisioned("provision", "--user", USER);

    // the new key of the PIN change is no key the receipt names: reset, which removes what it can, then provision
    assertThat(steps).extracting(s -> s.command().get(0)).containsExactly("provision", "provision", "reset",
        "provision");
    assertThat(steps.get(2).errorLine()).contains("KT-1520").contains("remains at " + endpoint.describe());
    AdviceFollower.Step status = run(List.of("status", "--user", USER), List.of());
    assertThat(status.out()).contains("Registration remains").contains(first);
  }
}
