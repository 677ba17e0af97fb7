package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.TpmInfo;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Keys survive a TPM restart; the raw Unix-socket transport; what a dead TPM connection looks like. */
class TpmRestartAndTransportTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  @TempDir Path store;

  @Test
  void keyStillWorksAfterTheTpmRestartsOnTheSameState() throws Exception {
    KeyContainer key;
    byte[] message = "after reboot".getBytes(StandardCharsets.UTF_8);
    try (HelloKeys keys = HelloKeys.open(TpmUri.parse(SWTPM.swtpm().tpmUri()), store)) {
      key = keys.create("frank", KeyAlgorithm.RSA_2048, TestPins.pin("1357"));
    }
    long pidBefore = SWTPM.swtpm().pid();
    SWTPM.swtpm().restart();
    assertThat(SWTPM.swtpm().pid()).isNotEqualTo(pidBefore);
    try (HelloKeys keys = HelloKeys.open(TpmUri.parse(SWTPM.swtpm().tpmUri()), store)) {
      assertThat(keys.show("frank").keyIdHex()).isEqualTo(key.keyIdHex());
      assertThat(TpmKeysOnSwtpmTest.verifies(key, message, keys.sign("frank", message, TestPins.pin("1357"))))
          .isTrue();
    }
  }

  @Test
  void aTpmThatDiesMidSessionGivesATransportErrorNotAHang() throws Exception {
    try (TpmSession s = TpmSession.open(TpmUri.parse(SWTPM.swtpm().tpmUri()))) {
      assertThat(s.getRandom(16)).hasSize(16);
      SWTPM.swtpm().stop();
      assertThatThrownBy(() -> s.getRandom(16))
          .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT));
      assertThatThrownBy(() -> s.getRandom(16))
          .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
          .hasMessageContaining("open a new session");
    } finally {
      SWTPM.swtpm().restart();
    }
  }

  @Test
  void aSimulatorBusyWithAnotherProgramIsToldWhyInsteadOfHanging() throws Exception {
    TpmUri uri = TpmUri.parse(SWTPM.swtpm().tpmUri());
    // another program (tpm2-tools, another keytrust) holds the simulator's one client connection
    try (Socket otherProgram = new Socket()) {
      otherProgram.connect(new InetSocketAddress(Swtpm.LOOPBACK, SWTPM.swtpm().port()));
      // the default I/O timeout is 120 s: the first command gets only 10 s, and a clear message
      assertThatThrownBy(() -> TpmSession.open(uri))
          .isInstanceOfSatisfying(KeytrustException.class,
              e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE))
          .hasMessageContaining("one client at a time");
    }
    try (TpmSession again = TpmSession.open(uri)) {
      assertThat(again.getRandom(4)).as("usable once the other program left").hasSize(4);
    }
  }

  @Test
  void sessionsOfThisJvmOnOneSimulatorShareItsConnection() throws Exception {
    TpmUri uri = TpmUri.parse(SWTPM.swtpm().tpmUri());
    try (TpmSession first = TpmSession.open(uri)) {
      assertThat(first.getRandom(4)).hasSize(4);
      // a second session while the first is open: it joins the first's connection (before, it
      // waited for the simulator, which serves one connection at a time, and failed after 10 s)
      try (TpmSession second = TpmSession.open(uri, Duration.ofSeconds(30))) {
        assertThat(second.getRandom(4)).hasSize(4);
        assertThat(first.getRandom(4)).hasSize(4);
      }
      assertThat(first.getRandom(4)).as("the first session outlives the second").hasSize(4);
    }
    // the last session closed the connection: the simulator serves another client again
    assertThat(SWTPM.tools().getRandom(4)).hasSize(4);
    try (TpmSession again = TpmSession.open(uri)) {
      assertThat(again.getRandom(4)).hasSize(4);
    }
  }

  @Test
  void aFailedSharedConnectionIsNotJoinedAgain() throws Exception {
    TpmUri uri = TpmUri.parse(SWTPM.swtpm().tpmUri());
    try (TpmSession old = TpmSession.open(uri)) {
      assertThat(old.getRandom(4)).hasSize(4);
      SWTPM.swtpm().restart();
      assertThatThrownBy(() -> old.getRandom(4))
          .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT));
      // the old session is still open, but its connection failed: a new session connects anew
      try (TpmSession fresh = TpmSession.open(uri)) {
        assertThat(fresh.getRandom(4)).hasSize(4);
      }
    }
  }

  @Test
  void rawUnixSocketTransportCreatesAndSigns() throws Exception {
    // a short folder of its own (a Unix socket path must stay under 108 bytes), removed afterwards
    Path dir = Files.createTempDirectory("kt-unix-");
    try (Swtpm unix = Swtpm.startUnix(dir.resolve("state"))) {
      TpmUri uri = TpmUri.parse(unix.tpmUri());
      assertThat(uri.scheme()).isEqualTo("unix");
      try (HelloKeys keys = HelloKeys.open(uri, store)) {
        KeyContainer key = keys.create("gina", KeyAlgorithm.ECC_P256, TestPins.pin("8642"));
        byte[] message = {7, 7, 7};
        assertThat(TpmKeysOnSwtpmTest.verifies(key, message, keys.sign("gina", message, TestPins.pin("8642"))))
            .isTrue();
      }
    } finally {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void tpmInfoDescribesTheSimulator() throws Exception {
    try (TpmSession s = TpmSession.open(TpmUri.parse(SWTPM.swtpm().tpmUri()))) {
      TpmInfo info = s.info();
      assertThat(info.manufacturer()).isEqualTo("IBM");
      assertThat(info.specFamily()).isEqualTo("2.0");
      assertThat(info.specRevision()).matches("\\d+\\.\\d\\d");
      assertThat(info.specYear()).isGreaterThan(2013);
      assertThat(info.vendorString()).isNotBlank();
      assertThat(info.firmwareVersion()).contains("0x");
      assertThat(info.algorithms()).contains("RSA", "ECC", "SHA256", "RSASSA", "ECDSA", "AES");
      assertThat(info.eccCurves()).contains("NIST_P256");
      assertThat(info.dictionaryAttack().maxAuthFail()).isPositive();
      assertThat(info.srks()).extracting(srk -> srk.handle())
          .containsExactly(TpmSession.SRK_RSA_HANDLE, TpmSession.SRK_ECC_HANDLE);
    }
  }
}
