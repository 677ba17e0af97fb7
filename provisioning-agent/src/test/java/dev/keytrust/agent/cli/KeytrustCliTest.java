package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** The command line surface: help, version, usage errors and exit codes. No TPM needed. */
class KeytrustCliTest {

  @TempDir Path tmp;

  @AfterEach
  void quiet() {
    Logging.setVerbose(false);
  }

  /** Every command and subcommand, as the words that name it, e.g. ["key", "create"]. */
  static Stream<List<String>> allCommands() {
    List<List<String>> all = new ArrayList<>();
    collect(KeytrustCli.commandLine(new CliRunner().stdinEnvironment()), new ArrayList<>(), all);
    return all.stream();
  }

  /** Every command but pam-auth, which speaks PAM: its exit codes are Linux-PAM's numbers. */
  static Stream<List<String>> keytrustExitCodeCommands() {
    return allCommands().filter(c -> !c.equals(List.of("pam-auth")));
  }

  private static void collect(CommandLine cmd, List<String> path, List<List<String>> all) {
    all.add(List.copyOf(path));
    for (Map.Entry<String, CommandLine> sub : cmd.getSubcommands().entrySet()) {
      List<String> p = new ArrayList<>(path);
      p.add(sub.getKey());
      collect(sub.getValue(), p, all);
    }
  }

  private static String[] args(List<String> command, String... more) {
    List<String> a = new ArrayList<>(command);
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void theCommandTreeIsComplete() {
    assertThat(allCommands()).containsExactlyInAnyOrder(
        List.of(), List.of("tpm"), List.of("tpm", "info"), List.of("key"), List.of("key", "create"),
        List.of("key", "sign"), List.of("key", "show"), List.of("key", "delete"), List.of("key", "export"),
        List.of("key", "attest"),
        List.of("kcl"), List.of("kcl", "decode"), List.of("kcl", "encode"), List.of("provision"),
        List.of("pin"), List.of("pin", "change"), List.of("reset"), List.of("status"),
        List.of("directory"), List.of("directory", "check-permissions"), List.of("authenticate"),
        List.of("kinit"), List.of("pam-auth"), List.of("sync-watch"), List.of("keys"), List.of("keys", "list"), List.of("keys", "prune"));
  }

  @ParameterizedTest
  @MethodSource("allCommands")
  void helpIsRenderedWithoutPicocliWarnings(List<String> command) {
    java.io.PrintStream before = System.err;
    java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(new CliRunner().run(args(command, "--help")).exitCode()).isZero();
    } finally {
      System.setErr(before);
    }
    assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("picocli");
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"--help", "-h", "--version", "-V"})
  void anUnknownCommandIsBadInputWhateverFollowsIt(String option) {
    CliRunner.Result r = new CliRunner().run("no-such-command", option);
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("no-such-command").contains("[KT-0001]");
    CliRunner.Result nested = new CliRunner().run("key", "no-such-subcommand", option);
    assertThat(nested.exitCode()).as(nested.out() + nested.err()).isEqualTo(ExitCodes.BAD_INPUT);
  }

  @ParameterizedTest
  @MethodSource("keytrustExitCodeCommands")
  void helpExitsZeroAndDocumentsTheExitCodes(List<String> command) {
    CliRunner.Result r = new CliRunner().run(args(command, "--help"));
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("Usage: keytrust")
        .contains("-h, --help", "-V, --version", "-v, --verbose", "Exit codes:")
        .containsPattern("(?m)^\\s+0\\s+Success")
        .containsPattern("(?m)^\\s+1\\s+The operation failed")
        .containsPattern("(?m)^\\s+2\\s+Bad input");
  }

  @ParameterizedTest
  @MethodSource("allCommands")
  void versionExitsZeroOnEveryCommand(List<String> command) {
    CliRunner.Result r = new CliRunner().run(args(command, "--version"));
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("keytrust ").contains("Java ");
    assertThat(r.out()).doesNotContain("${project.version}").doesNotStartWith("keytrust unknown");
  }

  @ParameterizedTest
  @MethodSource("keytrustExitCodeCommands")
  void unknownOptionExitsTwoWithOneLine(List<String> command) {
    CliRunner.Result r = new CliRunner().run(args(command, "--no-such-option"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("keytrust: Unknown option: '--no-such-option'").endsWith("[KT-0001]\n");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void pamAuthDocumentsPamsNumbersAndAnswersAnUnknownOptionAsPamServiceErrOnStdout() {
    CliRunner.Result help = new CliRunner().run("pam-auth", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Exit codes (Linux-PAM's numbers")
        .containsPattern("(?m)^\\s+0\\s+PAM_SUCCESS").containsPattern("(?m)^\\s+3\\s+PAM_SERVICE_ERR");
    CliRunner.Result r = new CliRunner().run("pam-auth", "--no-such-option");
    assertThat(r.exitCode()).isEqualTo(3); // PAM_SERVICE_ERR
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).startsWith("keytrust: ").contains("--no-such-option").endsWith("[KT-0001]\n");
    assertThat(r.out().lines()).hasSize(1);
  }

  @Test
  void groupsWithoutASubcommandAreUsageErrors() {
    assertThat(new CliRunner().run().exitCode()).isEqualTo(2);
    assertThat(new CliRunner().run("key").err()).contains("create", "sign", "show", "delete", "export");
    assertThat(new CliRunner().run("tpm").exitCode()).isEqualTo(2);
    assertThat(new CliRunner().run("nonsense").exitCode()).isEqualTo(2);
  }

  @Test
  void missingRequiredOptionExitsTwo() {
    CliRunner.Result r = new CliRunner().run("key", "show");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--user").contains("keytrust key show --help");
  }

  @Test
  void unknownAlgorithmExitsTwo() {
    CliRunner.Result r = new CliRunner().run("key", "create", "--user", "u", "--alg", "dsa", "--tpm", "software",
        "--store", tmp.toString(), "--pin-stdin");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("rsa2048 or p256");
  }

  @Test
  void badHexExitsTwoBeforeAnyPinIsRead() {
    for (String hex : new String[] {"abc", "zz", "0x12"}) {
      CliRunner.Result r = new CliRunner().run("key", "sign", "--user", "u", "--data-hex", hex, "--tpm", "software",
          "--store", tmp.toString());
      assertThat(r.exitCode()).as(hex).isEqualTo(2);
      assertThat(r.err()).as(hex).startsWith("keytrust: --data-hex is not hex").endsWith("[KT-0001]\n");
    }
  }

  @Test
  void badTpmUriExitsTwo() {
    CliRunner.Result r = new CliRunner().run("tpm", "info", "--tpm", "http://localhost");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).endsWith("[KT-0002]\n");
  }

  @Test
  void badTpmUriFromTheVariableExitsTwo() {
    CliRunner.Result r = new CliRunner().env(Map.of(TpmUri.ENV, "bogus")).run("tpm", "info");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("'bogus'");
  }

  @Test
  void tpmInfoRefusesSoftware() {
    CliRunner.Result r = new CliRunner().run("tpm", "info", "--tpm", "software");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("not a TPM");
  }

  @Test
  void unreachableTpmExitsOne() {
    CliRunner.Result r = new CliRunner().run("tpm", "info", "--tpm", "unix:" + tmp.resolve("no-such.sock"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("keytrust: ").containsPattern("\\[KT-01\\d\\d\\]\\n$");
  }

  @Test
  void noDefaultTpmOnUnknownPlatformsAndNoSoftwareFallback() {
    CliRunner.Result r = new CliRunner().os("Mac OS X").stdin("1234\n")
        .run("key", "create", "--user", "u", "--store", tmp.toString(), "--pin-stdin");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--tpm", TpmUri.ENV);
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void createWithoutTerminalAndWithoutPinStdinSaysUsePinStdin() {
    CliRunner.Result r = new CliRunner().console(null)
        .run("key", "create", "--user", "u", "--tpm", "software", "--store", tmp.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("use --pin-stdin");
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void signWithoutTerminalAndWithoutPinStdinSaysUsePinStdin() {
    assertThat(new CliRunner().stdin("135790\n").run("key", "create", "--user", "u", "--alg", "p256", "--tpm",
        "software", "--store", tmp.toString(), "--pin-stdin").exitCode()).isZero();
    CliRunner.Result r = new CliRunner().console(null)
        .run("key", "sign", "--user", "u", "--data-hex", "00", "--tpm", "software", "--store", tmp.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("use --pin-stdin");
  }

  @Test
  void differentPinAndConfirmationExitTwoAndCreateNothing() {
    CliRunner.Result r = new CliRunner().console(new PinInputTest.FakeConsole("135790", "135791"))
        .run("key", "create", "--user", "u", "--tpm", "software", "--store", tmp.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("[KT-0003]").doesNotContain("135790").doesNotContain("135791");
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void emptyPinOnStdinExitsTwo() {
    CliRunner.Result r = new CliRunner().stdin("\n")
        .run("key", "create", "--user", "u", "--tpm", "software", "--store", tmp.toString(), "--pin-stdin");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("empty").contains("[KT-0004]");
  }

  @Test
  void verboseIsAcceptedOnEveryLevel() {
    assertThat(new CliRunner().run("-v", "key", "show", "--help").exitCode()).isZero();
    Logging.setVerbose(false);
    assertThat(new CliRunner().run("key", "show", "--verbose", "--help").exitCode()).isZero();
    assertThat(Logging.isVerbose()).isTrue();
  }

  @Test
  void withoutVerboseKeytrustLogsWarningsOnly() {
    new CliRunner().run("key", "show", "--help");
    assertThat(Logging.isVerbose()).isFalse();
  }
}
