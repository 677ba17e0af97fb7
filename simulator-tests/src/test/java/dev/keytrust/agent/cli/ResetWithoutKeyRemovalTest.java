package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.faults.Fault;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 13 against the lab key service: its DELETE answers 501, as a key service without
 * keytrust's removal extension does (fault injection). {@code reset} removes what it can on this
 * device, says plainly that the registration remains at that service, keeps it on record so
 * {@code status} shows it, and a later {@code reset} tries again and clears it once the service
 * removes keys.
 */
class ResetWithoutKeyRemovalTest {
  @TempDir Path dir;
  OpsLab lab;

  @BeforeEach
  void start() throws Exception {
    lab = new OpsLab(dir);
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  static Fault notImplemented() {
    return Fault.kppError(501, "not_implemented", "Key removal is not offered by this service.");
  }

  List<String> registered() {
    return lab.service.registrations().stream()
        .map(r -> HexFormat.of().withUpperCase().formatHex(r.keyId())).toList();
  }

  @Test
  void theRegistrationRemainsOnRecordAndALaterResetRetriesIt() throws Exception {
    OpsLab.Run provisioned = lab.provision(OpsLab.code(0), OpsLab.PIN);
    assertThat(provisioned.exit()).as(provisioned.toString()).isZero();
    String first = new KeyContainerStore(lab.store).load(OpsLab.USER).keyIdHex();

    lab.service.injectFaults(notImplemented());
    OpsLab.Run reset = lab.reset();

    assertThat(reset.exit()).as(reset.toString()).isEqualTo(1);
    assertThat(reset.err()).contains("[1/3] unregister FAILED").contains("[KT-1615]")
        .contains("[2/3] delete-key SUCCEEDED").contains("[3/3] clear SUCCEEDED");
    assertThat(reset.errorLine())
        .startsWith("keytrust: User '" + OpsLab.USER + "' is reset on this device")
        .contains("`keytrust provision --user " + OpsLab.USER + "` makes a new key now")
        .contains("remains at " + lab.service.baseUri())
        .contains("does not remove keys (KT-1615)")
        .endsWith("[KT-1520]");
    assertThat(lab.service.pendingFaults()).isZero();
    assertThat(registered()).containsExactly(first);
    assertThat(new KeyContainerStore(lab.store).find(OpsLab.USER)).isEmpty();

    OpsLab.Run status = lab.status();
    assertThat(status.exit()).as(status.toString()).isZero();
    assertThat(status.out()).contains("Registration remains : key " + first + " at " + lab.service.baseUri())
        .contains("NgcSet : NO");

    // provisioning works at once
    OpsLab.Run again = lab.provision("", OpsLab.PIN2);
    assertThat(again.exit()).as(again.toString()).isZero();
    String second = new KeyContainerStore(lab.store).load(OpsLab.USER).keyIdHex();
    assertThat(registered()).containsExactlyInAnyOrder(first, second);

    // a later reset retries both: refused again, both stay on record
    lab.service.injectFaults(notImplemented(), notImplemented());
    OpsLab.Run refused = lab.reset();
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.errorLine()).contains("2 registrations remain").endsWith("[KT-1520]");
    assertThat(lab.status().out().lines().filter(l -> l.contains("Registration remains :"))).hasSize(2);

    // once the service removes keys, the next reset removes them and clears the record
    OpsLab.Run done = lab.reset();
    assertThat(done.exit()).as(done.toString()).isZero();
    assertThat(done.out()).contains("Outcome : RESET");
    assertThat(registered()).isEmpty();
    assertThat(lab.status().out()).doesNotContain("Registration remains");
    for (OpsLab.Run r : List.of(provisioned, reset, again, refused, done)) {
      assertThat(r.out() + r.err() + r.log()).doesNotContain(OpsLab.PIN).doesNotContain(OpsLab.PIN2)
          .doesNotContain(lab.token);
    }
  }
}
