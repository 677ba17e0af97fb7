package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file a user names is read only when it is a regular file, and never past a bound: a device
 * ({@code /dev/zero}: an endless read) and a FIFO (a read that blocks until a writer comes) are bad
 * input at once, one line, exit 2 (issue 16 item 5). The timeout only guards against a hang.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InputFileBoundsTest {
  @TempDir static Path dir;
  static Path fifo;
  static Path totp;

  @BeforeAll
  static void makeFifo() throws Exception {
    totp = Files.writeString(dir.resolve("alice.totp"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n");
    Files.setPosixFilePermissions(totp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    fifo = dir.resolve("a-fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
    assertThat(Files.isRegularFile(fifo)).isFalse();
  }

  static List<String> specialFiles() {
    return List.of("/dev/zero", fifo.toString(), dir.toString());
  }

  @ParameterizedTest
  @MethodSource("specialFiles")
  void statusAndProvisionRefuseADeviceContextThatIsNotAFile(String file) {
    for (List<String> args : List.of(List.of("status", "--device", file, "--tpm", "software"),
        List.of("provision", "--user", "alice", "--device", file, "--tpm", "software", "--pin-stdin",
            "--mfa", "totp:secret-file=" + totp, "--endpoint", "https://127.0.0.1:9/"))) {
      CliRunner.Result r = new CliRunner().run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(args + ": " + r.err()).isEqualTo(2);
      assertThat(r.err().lines()).as(r.err()).hasSize(1);
      assertThat(r.err()).contains(file);
    }
  }

  @ParameterizedTest
  @MethodSource("specialFiles")
  void kclDecodeRefusesAnAtFileThatIsNotAFile(String file) {
    CliRunner.Result r = new CliRunner().run("kcl", "decode", "@" + file);
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err().lines()).hasSize(1);
  }
}
