package dev.keytrust.agent.cli;

import static dev.keytrust.agent.cli.KinitLab.PIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.keytrust.key.KeyContainer;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code keytrust kinit} killed while it signs in (SIGKILL and SIGTERM, while the KDC's PKINIT
 * reply is held back by a relay) leaves the credential cache as it was: the older complete cache
 * byte for byte, or none, and no temporary file. The CLI runs as its own process (the packaged
 * jar) against the lab KDC. Runs under CI always; elsewhere skipped without root and debootstrap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KinitKillTest {
  private KinitLab lab;
  private KeyTrustKdc.User nina;

  @BeforeAll
  void startKdc() throws Exception {
    assumeThat(KinitLab.available()).as("the lab KDC can run here (root, debootstrap)").isTrue();
    lab = KinitLab.start(Files.createTempDirectory("keytrust-kinit-kill-"), "KinitKillTest");
    nina = lab.kdc.createUser("nina");
    KeyContainer key = lab.createKey(nina.upn(), "software", "rsa2048");
    lab.register(nina, key.publicKey());
  }

  @AfterAll
  void stopKdc() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void aKillWhileWaitingForTheKdcLeavesTheOlderCacheWholeOrNone() throws Exception {
    Path caches = Files.createDirectories(lab.dir.resolve("caches"));
    Path existing = caches.resolve("krb5cc_existing");
    assertThat(lab.kinit(nina.upn(), PIN, existing).exit()).isZero();
    byte[] before = Files.readAllBytes(existing);

    for (boolean sigkill : List.of(true, false)) {
      killDuringKinit(existing, sigkill);
      assertThat(Files.readAllBytes(existing)).as("the older cache, unchanged").isEqualTo(before);
      assertThat(lab.klist(existing).exitCode()).isZero();

      Path fresh = caches.resolve("krb5cc_fresh_" + sigkill);
      killDuringKinit(fresh, sigkill);
      assertThat(fresh).doesNotExist();
    }
    try (Stream<Path> files = Files.list(caches)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("krb5cc_existing");
    }
  }

  /** Starts kinit as a process, kills it (SIGKILL or SIGTERM) while the KDC's reply is held. */
  private void killDuringKinit(Path ccache, boolean sigkill) throws Exception {
    try (KdcProxy relay = new KdcProxy(lab.kdc.kdcAddress())) {
      relay.holdRepliesFrom(2); // the probe's answer passes, the PKINIT reply waits
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", System.getProperty("keytrust.cli.jar"), "kinit", "--user", nina.upn(),
          "--pin-stdin", "--store", lab.store.toString(), "--kdc", relay.address(),
          "--kdc-ca", lab.kdc.caFile().toString(), "--ccache", "FILE:" + ccache)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write((PIN + "\n").getBytes(StandardCharsets.UTF_8));
      }
      assertThat(relay.awaitHeld()).as("kinit reached the PKINIT request").isTrue();
      if (sigkill) {
        p.destroyForcibly();
      } else {
        p.destroy();
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isNotZero();
      relay.release();
    }
  }
}
