package dev.keytrust.nativeio;

import static dev.keytrust.nativeio.TpmCommands.GET_RANDOM_16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TPM that stops answering: a real swtpm (chardev mode) frozen with SIGSTOP, sent by its own pid,
 * while a command is outstanding. The transport must give up at its I/O timeout, not hang.
 */
@EnabledOnOs(OS.LINUX)
class FdTransportSwtpmStopTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  @TempDir Path dir;
  private SwtpmChardev swtpm;
  private FdTransport transport;

  @BeforeEach
  void start() throws Exception {
    swtpm = SwtpmChardev.start(dir);
    transport = new FdTransport(LinuxLibC.get(), swtpm.takeFd(), "swtpm chardev", TIMEOUT);
  }

  @AfterEach
  void stop() throws Exception {
    if (transport != null) {
      transport.close();
    }
    if (swtpm != null) {
      swtpm.stop();
    }
  }

  @Test
  void aStoppedSwtpmMakesTheCommandTimeOut() throws Exception {
    assertThat(TpmCommands.responseCode(transport.transmit(GET_RANDOM_16))).as("rc while running").isZero();
    // the signal goes to swtpm itself: bash exec'd it (it has, since it answered), so the
    // Process's pid is swtpm's
    assertThat(Files.readString(Path.of("/proc/" + swtpm.pid() + "/comm")).strip()).isEqualTo("swtpm");

    swtpm.signal("STOP");
    try {
      assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16))
          .isInstanceOfSatisfying(
              KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
          .hasMessageContaining("TPM2_GetRandom got no answer from swtpm chardev within 500 ms")
          .hasMessageContaining("waiting for the response");
    } finally {
      swtpm.signal("CONT");
    }

    // swtpm answers the old command once it runs again: that late answer must never be taken
    // for the response to a new command
    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
        .hasMessageContaining("unusable after an earlier failure");
    assertThat(swtpm.isAlive()).as("swtpm runs again after SIGCONT").isTrue();
  }
}
