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
import dev.keytrust.lab.kdc.KdcRootImage;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code keytrust demo} on swtpm: in-process with known PINs and {@code --keep} (so that the test
 * can check that neither shows in the output, in keytrust's log, even at DEBUG, or in any file the
 * demo left in its folder), with the lab KDC where it can run (always under CI): Kerberos sign-in
 * after sync, the TGT shown, a service ticket by MIT kvno, the reset key refused by the KDC too;
 * and as its own process through {@link LabMain#main} (exit code, the logging set-up of the jar,
 * swtpm stopped, the folder removed without {@code --keep}) with the KDC made impossible to build
 * (an empty cache folder and a mirror nobody serves, on 127.0.0.1:9): the demo says so, skips the
 * Kerberos steps and passes. swtpm must be installed: under CI ({@code CI=true}) a missing swtpm
 * fails, elsewhere it skips.
 */
class DemoTest {
  /** PINs that cannot turn up by chance in ids, paths or messages. */
  private static final String PIN = "Zq83kWx1Pm";
  private static final String WRONG_PIN = "Wr0ngQ7vTn";

  @TempDir Path tmp;

  /** The lines every successful demo prints, in order, with the lab KDC or without. */
  private static void assertStory(String out, boolean kdc) {
    assertThat(out).containsSubsequence(
        "[1/13] Start the lab", "OK: lab up; TPM mssim://127.0.0.1:",
        "[2/13] Write the device context", "OK: ",
        "[3/13] Provision alice@keytrust.lab", "MFA (push):", "MFA (push): succeeded after",
        "register SUCCEEDED", "OK: PROVISIONED: tpm rsa2048 key",
        "[4/13] The registered KeyCredentialLink", "KeyID        : ", "source       : AD",
        "device id    : ", "created      : ", "OK: key id ",
        "[5/13] Wait for directory sync", "OK: SYNCED after", "source AzureAD",
        "[6/13] Sign in", "OK: ACCEPTED: value 1 of 1",
        "[7/13] Kerberos sign-in at the lab KDC",
        "[8/13] Service ticket: MIT kvno cifs/dc.keytrust.lab",
        "[9/13] Sign in with a wrong PIN", "REFUSED, as expected:", "[KT-0201]",
        "[10/13] Reset alice", "OK: RESET: key deleted",
        "[11/13] Wait for the next sync cycle", "OK: REMOVED after",
        "[12/13] Sign in again", "REFUSED, as expected:", "[KT-1701]",
        "[13/13] Stop the lab", "OK: stopped (swtpm pid",
        "demo: PASSED");
    assertThat(out).doesNotContain("FAILED");
    if (kdc) {
      assertThat(out).containsSubsequence("kdc-progress: ", "realm: KEYTRUST.LAB",
          "CustomKeyInformation in the MS-ADTS 2.2.20.3 long form",
          "directory and KDC: Samba ",
          "[7/13] Kerberos sign-in", "Default principal : alice@KEYTRUST.LAB",
          "Service principal : krbtgt/KEYTRUST.LAB@KEYTRUST.LAB", "Session key       : aes",
          "OK: TGT for alice@KEYTRUST.LAB",
          "[8/13] Service ticket", "cifs/dc.keytrust.lab@KEYTRUST.LAB: kvno = ",
          "Default principal: alice@KEYTRUST.LAB", "krbtgt/KEYTRUST.LAB@KEYTRUST.LAB",
          "cifs/dc.keytrust.lab@KEYTRUST.LAB", "OK: service ticket for cifs/dc.keytrust.lab",
          "[12/13] Sign in again", "[KT-1701]", "REFUSED, as expected: Kerberos: ", "[KT-1710]",
          "demo: PASSED, every step ended as expected (13 steps, ");
      assertThat(out).doesNotContain("SKIPPED");
    } else {
      assertThat(out).containsSubsequence("NOTE: the lab KDC cannot be built here: ",
          "NOTE: the demo goes on without it", "directory in-process, no lab KDC",
          "[7/13] Kerberos sign-in", "SKIPPED: no lab KDC (",
          "[8/13] Service ticket", "SKIPPED: no lab KDC (",
          "demo: PASSED, every step ended as expected (13 steps, 2 skipped: no lab KDC, ");
    }
  }

  /** Whether the lab KDC runs here: always under CI, elsewhere where root and its root allow. */
  private static boolean kdcHere() {
    return "true".equals(System.getenv("CI")) || KeyTrustKdc.unavailableReason().isEmpty();
  }

  @Test
  void theWholeStoryInProcessWithoutShowingAPin() throws Exception {
    assumeTrue(LabProcesses.swtpmOrFailUnderCi(), Swtpm.MISSING_MESSAGE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Deque<String> pins = new ArrayDeque<>(List.of(PIN, WRONG_PIN));
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    root.setLevel(Level.DEBUG);
    events.start();
    root.addAppender(events);
    // not @TempDir: with the lab KDC, deleted only after a check that nothing is mounted under it
    Path top = Files.createTempDirectory("keytrust-demo-test-");
    try {
      inProcess(top.resolve("demo"), out, err, pins, events, root, before);
    } finally {
      KeyTrustKdc.deleteState(top);
    }
  }

  private void inProcess(Path dir, ByteArrayOutputStream out, ByteArrayOutputStream err,
      Deque<String> pins, ListAppender<ILoggingEvent> events, Logger root, Level before)
      throws Exception {
    int code;
    try {
      code = LabDemo.run(new String[] {"--dir", dir.toString(), "--keep"},
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
          () -> pins.pop().toCharArray());
    } finally {
      root.detachAppender(events);
      root.setLevel(before);
    }
    String stdout = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as("stdout:\n%s\nstderr:\n%s", stdout, err).isZero();
    boolean kdc = kdcHere();
    assertStory(stdout, kdc);
    assertThat(stdout).contains("files kept in " + dir);
    assertThat(dir.resolve("ca.pem")).isRegularFile();
    assertThat(dir.resolve("device.conf")).isRegularFile();

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

    // nothing the demo left holds a PIN in clear: every file in the kept folder (CA, tokens, the
    // key store, the copy taken before the reset, the flow's state, the swtpm state and log; with
    // the KDC its state, Samba's databases and log, and the credential cache)
    List<Path> scanned = new ArrayList<>();
    try (var files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        byte[] content = Files.readAllBytes(f);
        for (String pin : List.of(PIN, WRONG_PIN)) {
          for (var charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE)) {
            assertThat(indexOf(content, pin.getBytes(charset)))
                .as("a PIN (%s) in %s", charset, f).isNegative();
          }
        }
        scanned.add(dir.relativize(f));
      }
    }
    // the scan saw the files that would hold the PIN if anything did
    assertThat(scanned).as("files scanned")
        .anyMatch(f -> f.startsWith("keys-before-reset"))
        .anyMatch(f -> f.startsWith("state"))
        .anyMatch(f -> f.startsWith("swtpm"));
    if (kdc) {
      assertThat(scanned).as("files scanned")
          .anyMatch(f -> f.toString().equals("krb5cc_alice"))
          .anyMatch(f -> f.startsWith("kdc"));
    }
  }

  @Test
  void theScanForAPinFindsOneInEitherEncoding() {
    for (var charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE)) {
      byte[] file = ("pin=" + PIN + "\n").getBytes(charset);
      assertThat(indexOf(file, PIN.getBytes(charset))).isPositive();
      assertThat(indexOf(file, WRONG_PIN.getBytes(charset))).isNegative();
    }
  }

  @Test
  void asAProcessWhereTheKdcCannotBeBuiltSaysSoExitsZeroStopsSwtpmAndRemovesTheFolder()
      throws Exception {
    assumeTrue(LabProcesses.swtpmOrFailUnderCi(), Swtpm.MISSING_MESSAGE);
    Path dir = tmp.resolve("demo");
    // no cached KDC root and a mirror nobody serves (connection refused on 127.0.0.1:9): as root,
    // the build is tried and fails in well under a second; not as root, the KDC is not tried
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-D" + KdcRootImage.CACHE_PROPERTY + "=" + tmp.resolve("empty-kdc-cache"),
        "-D" + KdcRootImage.MIRROR_PROPERTY + "=http://127.0.0.1:9/debian",
        "-cp", System.getProperty("java.class.path"), LabMain.class.getName(),
        "demo", "--dir", dir.toString());
    Process p = new ProcessBuilder(command).start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    } finally {
      LabProcesses.stop(p); // our own child and what it started, by handle; a no-op once all ended
    }
    String stdout = out.get();
    assertThat(p.exitValue()).as("stdout:\n%s\nstderr:\n%s", stdout, err.get()).isZero();
    assertStory(stdout, false);
    if (KeyTrustKdc.isRoot()) {
      assertThat(stdout).contains("127.0.0.1:9");
    }
    assertThat(stdout).contains(dir + " removed");
    assertThat(dir).as("removed without --keep").doesNotExist();
    // the swtpm the demo started has ended
    var m = Pattern.compile("swtpm pid (\\d+) ended").matcher(stdout);
    assertThat(m.find()).isTrue();
    assertThat(ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void badArgumentsExit2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LabMain.run(new String[] {"demo", "--bogus"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--bogus'");
  }

  /** Where {@code needle} first occurs in {@code haystack}, or -1. */
  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
