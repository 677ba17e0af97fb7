package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code keytrust demo} on swtpm: in-process with known PINs (so that the test can check that
 * neither shows in the output or in keytrust's log, even at DEBUG), and as its own process through
 * {@link LabMain#main} (exit code, the logging set-up of the jar, swtpm stopped).
 */
class DemoTest {
  /** PINs that cannot turn up by chance in ids, paths or messages. */
  private static final String PIN = "Zq83kWx1Pm";
  private static final String WRONG_PIN = "Wr0ngQ7vTn";

  @TempDir Path tmp;

  /** The lines every successful demo prints, in order. */
  private static void assertStory(String out) {
    assertThat(out).containsSubsequence(
        "[1/11] Start the lab", "OK: lab up; TPM mssim://127.0.0.1:",
        "[2/11] Write the device context", "OK: ",
        "[3/11] Provision alice@keytrust.lab", "MFA (push):", "MFA (push): succeeded after",
        "register SUCCEEDED", "OK: PROVISIONED: tpm rsa2048 key",
        "[4/11] The registered KeyCredentialLink", "KeyID        : ", "source       : AD",
        "device id    : ", "created      : ", "OK: key id ",
        "[5/11] Wait for directory sync", "OK: SYNCED after", "source AzureAD",
        "[6/11] Sign in", "OK: ACCEPTED: value 1 of 1",
        "[7/11] Sign in with a wrong PIN", "REFUSED, as expected:", "[KT-0201]",
        "[8/11] Reset alice", "OK: RESET: key deleted",
        "[9/11] Wait for the next sync cycle", "OK: REMOVED after",
        "[10/11] Sign in again", "REFUSED, as expected:", "[KT-1701]",
        "[11/11] Stop the lab", "OK: stopped (swtpm pid",
        "demo: PASSED");
    assertThat(out).doesNotContain("FAILED");
  }

  @Test
  void theWholeStoryInProcessWithoutShowingAPin() throws Exception {
    assumeTrue(Swtpm.available(), Swtpm.MISSING_MESSAGE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Deque<String> pins = new ArrayDeque<>(List.of(PIN, WRONG_PIN));
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    root.setLevel(Level.DEBUG);
    events.start();
    root.addAppender(events);
    Path dir = tmp.resolve("demo");
    int code;
    long t = System.nanoTime();
    try {
      code = LabDemo.run(new String[] {"--dir", dir.toString()},
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
          () -> pins.pop().toCharArray());
    } finally {
      root.detachAppender(events);
      root.setLevel(before);
    }
    double seconds = (System.nanoTime() - t) / 1e9;
    String stdout = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as("stdout:\n%s\nstderr:\n%s", stdout, err).isZero();
    assertStory(stdout);
    assertThat(seconds).as("well under a minute").isLessThan(50);
    assertThat(dir).as("removed without --keep").doesNotExist();

    StringBuilder log = new StringBuilder();
    for (ILoggingEvent e : new ArrayList<>(events.list)) {
      log.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) {
        log.append(e.getThrowableProxy().getMessage()).append('\n');
      }
    }
    assertThat(log).as("keytrust logged at DEBUG").isNotEmpty();
    for (String s : List.of(stdout, err.toString(StandardCharsets.UTF_8), log.toString())) {
      assertThat(s).doesNotContain(PIN).doesNotContain(WRONG_PIN);
    }
  }

  @Test
  void asAProcessExitsZeroAndKeepsTheFolderWithKeep() throws Exception {
    assumeTrue(Swtpm.available(), Swtpm.MISSING_MESSAGE);
    Path dir = tmp.resolve("kept");
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LabMain.class.getName(),
        "demo", "--dir", dir.toString(), "--keep");
    Process p = new ProcessBuilder(command).start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly(); // our own child, by handle; a no-op once it ended
    }
    String stdout = out.get();
    assertThat(p.exitValue()).as("stdout:\n%s\nstderr:\n%s", stdout, err.get()).isZero();
    assertStory(stdout);
    assertThat(stdout).contains("files kept in " + dir);
    assertThat(dir.resolve("ca.pem")).isRegularFile();
    assertThat(dir.resolve("device.conf")).isRegularFile();
    // the swtpm the demo started has ended
    var m = Pattern.compile("swtpm pid (\\d+) ended").matcher(stdout);
    assertThat(m.find()).isTrue();
    assertThat(ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    // nothing in the kept folder holds a PIN in clear: the PIN file of the flow does not exist
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(f -> f.getFileName().toString().toLowerCase().contains("pin.txt"))).isEmpty();
    }
  }

  @Test
  void badArgumentsExit2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LabMain.run(new String[] {"demo", "--bogus"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--bogus'");
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
