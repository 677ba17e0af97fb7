package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.flow.FlowStatus;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.SwtpmExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 16, a lost TPM: a user provisioned with a TPM key on swtpm, then the TPM is cleared
 * ({@code tpm2_clear}) or replaced (swtpm stopped, its state deleted, started again). {@code status}
 * says in one line that the key is lost and what to do; {@code provision} then provisions anew after
 * MFA: it removes the dead key's registration at the key service, deletes the key and makes a new one.
 */
class LostTpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  @TempDir Path dir;
  OpsLab lab;

  @BeforeEach
  void start() throws Exception {
    lab = new OpsLab(dir).tpm(SWTPM.swtpm().tpmUri());
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  String keyId() throws Exception {
    return new KeyContainerStore(lab.store).load(OpsLab.USER).keyIdHex();
  }

  List<String> registeredKeyIds() {
    return lab.service.registrations().stream()
        .map(r -> HexFormat.of().withUpperCase().formatHex(r.keyId())).toList();
  }

  @Test
  void aClearedTpm() throws Exception {
    String lost = provisionThenLoseTheTpm(() -> SWTPM.tools().run("tpm2_clear"));
    replacedAfterMfa(lost);
  }

  @Test
  void aReplacedTpmState() throws Exception {
    String lost = provisionThenLoseTheTpm(() -> {
      Swtpm swtpm = SWTPM.swtpm();
      swtpm.stop();
      try (var files = Files.list(swtpm.stateDir())) {
        for (Path f : files.filter(p -> p.getFileName().toString().startsWith("tpm2-")).toList()) {
          Files.delete(f); // the TPM's NV state: seeds, persistent objects
        }
      }
      swtpm.restart();
      lab.tpm(swtpm.tpmUri());
    });
    replacedAfterMfa(lost);
  }

  @Test
  void anInterruptedReplacementIsFinishedByTheNextRun() throws Exception {
    String lost = provisionThenLoseTheTpm(() -> SWTPM.tools().run("tpm2_clear"));
    lab.forgetMfa();
    // the key service fails the removal of the lost key's registration: the run stops after MFA
    lab.service.injectFaults(dev.keytrust.lab.faults.Fault.kppError(503, "unavailable", "Try later."));
    OpsLab.Run stopped = lab.provision(OpsLab.code(1), OpsLab.PIN2, "--endpoint-setting", "max-attempts=1");
    assertThat(stopped.exit()).as(stopped.toString()).isEqualTo(1);
    assertThat(stopped.err()).contains("unregister-lost FAILED");
    assertThat(keyId()).isEqualTo(lost);
    assertThat(lab.status().out()).contains("interrupted: provision stopped at STARTED");
    // the next run resumes: no new MFA is needed within ten minutes, the replacement is finished
    replacedAfterMfa(lost, false);
  }

  interface Loss {
    void happen() throws Exception;
  }

  String provisionThenLoseTheTpm(Loss loss) throws Exception {
    OpsLab.Run provisioned = lab.provision(OpsLab.code(0), OpsLab.PIN);
    assertThat(provisioned.exit()).as(provisioned.toString()).isZero();
    String keyId = keyId();
    assertThat(registeredKeyIds()).containsExactly(keyId);
    OpsLab.Run before = lab.status();
    assertThat(before.out()).contains("Key in TPM : YES");

    loss.happen();

    OpsLab.Run status = lab.status();
    assertThat(status.exit()).as(status.toString()).isZero();
    List<String> lines = status.out().lines().filter(l -> l.contains("Key in TPM :")).toList();
    assertThat(lines).as(status.out()).singleElement().asString()
        .contains("LOST: the TPM no longer has the storage root key it was made under")
        .contains("[KT-0108]")
        .contains("run `keytrust provision --user " + OpsLab.USER + "` to replace it");
    OpsLab.Run json = lab.status("--json");
    assertThat(json.out().replaceAll("\\s+", "")).contains("\"inTpm\":{\"state\":\"LOST\",\"errorCode\":\"KT-0108\"");
    return keyId;
  }

  void replacedAfterMfa(String lost) throws Exception {
    lab.forgetMfa(); // so the run shows the MFA it asks for; within 10 minutes of one it would reuse it
    replacedAfterMfa(lost, true);
  }

  void replacedAfterMfa(String lost, boolean freshMfa) throws Exception {
    OpsLab.Run again = lab.provision(freshMfa ? OpsLab.code(1) : "", OpsLab.PIN2);
    assertThat(again.exit()).as(again.toString()).isZero();
    assertThat(again.out()).contains("Outcome : PROVISIONED");
    List<String> progress = again.err().lines().filter(l -> l.startsWith("[")).toList();
    assertThat(String.join("\n", progress))
        .contains(freshMfa ? "key-check SUCCEEDED" : "unregister-lost").contains(freshMfa ? "key " + lost + " is lost" : "")
        .contains(freshMfa ? "mfa SUCCEEDED" : "mfa SKIPPED")
        .contains("unregister-lost SUCCEEDED").contains("delete-lost-key SUCCEEDED")
        .contains("key SUCCEEDED").contains("register SUCCEEDED");
    assertThat(indexOf(progress, freshMfa ? "mfa SUCCEEDED" : "mfa SKIPPED"))
        .isLessThan(indexOf(progress, "unregister-lost STARTED"));
    assertThat(indexOf(progress, "delete-lost-key SUCCEEDED")).isLessThan(indexOf(progress, "pin STARTED"));
    String fresh = keyId();
    assertThat(fresh).isNotEqualTo(lost);
    // the dead key's registration is gone; the new key is the one registration
    assertThat(registeredKeyIds()).containsExactly(fresh);
    assertThat(FlowStatus.read(new KeyContainerStore(lab.store), OpsLab.USER).receipt().orElseThrow().keyIdHex())
        .isEqualTo(fresh);
    assertThat(lab.status().out()).contains("Key in TPM : YES").contains("in sync");
    // the new PIN works with the new key in the new TPM
    OpsLab.Run sign = lab.keytrust(OpsLab.PIN2 + "\n", "key", "sign", "--user", OpsLab.USER, "--data-hex", "00ff",
        "--tpm", lab.tpm, "--store", lab.store.toString(), "--pin-stdin");
    assertThat(sign.exit()).as(sign.toString()).isZero();
    // a second run finds the user provisioned
    OpsLab.Run third = lab.provision("", OpsLab.PIN2);
    assertThat(third.out()).as(third.toString()).contains("Outcome : ALREADY_PROVISIONED");
    // the audit file says the TPM lost the key and its registration was removed
    String audit = Files.readString(lab.state.resolve(dev.keytrust.agent.audit.AuditFile.NAME));
    assertThat(audit).contains("\"eventId\":9020,\"event\":\"key-lost\"")
        .contains("\"eventId\":9041,\"event\":\"registration-removed\"");
    for (OpsLab.Run r : List.of(again, third)) {
      assertThat(r.out() + r.err() + r.log()).doesNotContain(OpsLab.PIN).doesNotContain(OpsLab.PIN2)
          .doesNotContain(lab.token);
    }
  }

  static int indexOf(List<String> lines, String part) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(part)) {
        return i;
      }
    }
    throw new AssertionError(part + " not in " + lines);
  }
}
