package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keytrust lab fleet} (issue 17, goal 6): its options, and a fleet of two devices that
 * provisions both, replays each one's TPM commands on swtpm alone from a copy of its TPM state with
 * the recorded answers, writes its report and chart, and leaves no swtpm running. No figure is
 * checked.
 */
class FleetTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int fleet(String... args) {
    return LabFleet.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void wrongOptionsAreUsageErrors() {
    assertThat(fleet("--devices")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--devices needs a value");
    assertThat(fleet("--devices", "2", "--colour", "red")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--colour'");
    assertThat(fleet("--devices", "2")).isEqualTo(2);
    assertThat(fleet("--devices", "two", "--concurrency", "1")).isEqualTo(2);
    assertThat(fleet("--devices", "2", "--concurrency", "1", "--batch", "0")).isEqualTo(2);
    assertThat(fleet("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: keytrust lab fleet");
  }

  @Test
  void twoDevicesAreProvisionedReportedAndTheirSwtpmsStopped() throws Exception {
    assumeTrue(LabProcesses.swtpmOrFailUnderCi(), Swtpm.MISSING_MESSAGE);
    Path d = dir.resolve("fleet");

    int code = fleet("--devices", "2", "--concurrency", "1", "--batch", "1", "--dir", d.toString(),
        "--max-time", "5m");

    assertThat(code).as("exit code; stderr: %s", err.toString(StandardCharsets.UTF_8)).isZero();
    String md = Files.readString(d.resolve("fleet.md"), StandardCharsets.UTF_8);
    assertThat(md).contains("| devices provisioned | 2 of 2 |").contains("| errors | 0 |")
        .contains("**devices per minute**").contains("**fleet / swtpm alone** (goal ≥ 0.8)")
        .contains("keys in the directory after one sync cycle | 2 of 2")
        // each device's partner on swtpm alone, from a copy of its TPM state, got the recorded answers
        .contains("(2 partners, each a fleet device's commands on a copy of its TPM state")
        .contains("; 0 answers that differed from the recording)")
        .contains("fleet / swtpm alone per batch pair (2 pairs of 1 devices)");
    BufferedImage png = ImageIO.read(d.resolve("fleet.png").toFile());
    assertThat(png).isNotNull();
    assertThat(png.getWidth()).isPositive();
    assertThat(ProcessHandle.current().descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("swtpm")).orElse(false))
        .filter(ProcessHandle::isAlive)).as("swtpm processes the fleet left running").isEmpty();
  }
}
