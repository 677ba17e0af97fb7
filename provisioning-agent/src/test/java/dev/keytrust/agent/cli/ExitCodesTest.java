package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.error.WrongPinException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

class ExitCodesTest {

  private final ExitCodes exitCodes = new ExitCodes();

  static java.util.stream.Stream<ErrorCode> allCodes() {
    return java.util.stream.Stream.concat(
        java.util.Arrays.stream(CoreErrorCode.values()), java.util.Arrays.stream(AgentErrorCode.values()));
  }

  @ParameterizedTest
  @MethodSource("allCodes")
  void keytrustErrorsExitTwoExactlyWhenTheCodeIsBadInput(ErrorCode code) {
    int expected = code.badInput() ? 2 : 1;
    assertThat(exitCodes.getExitCode(new KeytrustException(code, "x"))).isEqualTo(expected);
  }

  @Test
  void codeIdsAreUniqueAndEachModuleKeepsToItsRange() {
    assertThat(allCodes().map(ErrorCode::id)).doesNotHaveDuplicates();
    assertThat(CoreErrorCode.values()).allSatisfy(c -> assertThat(c.id()).matches("KT-0\\d{3}"));
    assertThat(AgentErrorCode.values()).allSatisfy(c -> assertThat(c.id()).matches("KT-1\\d{3}"));
  }

  @Test
  void typedErrorsFollowTheirCode() {
    assertThat(exitCodes.getExitCode(new WrongPinException(3, "wrong"))).isEqualTo(ExitCodes.FAILED);
    assertThat(exitCodes.getExitCode(new LockedOutException(Duration.ofMinutes(5), "locked"))).isEqualTo(ExitCodes.FAILED);
    assertThat(exitCodes.getExitCode(new KeytrustException(CoreErrorCode.PIN_MISMATCH, "x"))).isEqualTo(ExitCodes.BAD_INPUT);
  }

  @Test
  void usageErrorsExitTwoAndBugsExitOne() {
    CommandLine cmd = new CommandLine(new Dummy());
    assertThat(exitCodes.getExitCode(new ParameterException(cmd, "bad"))).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(exitCodes.getExitCode(new IllegalStateException("bug"))).isEqualTo(ExitCodes.FAILED);
  }

  @Test
  void theCliAddsItsOwnOptionsToTheLibrarysAdvice() {
    CommandLine keytrust = KeytrustCli.commandLine(CliEnvironment.system());
    keytrust.parseArgs("key", "show", "--user", "bob");
    CommandLine show = keytrust.getSubcommands().get("key").getSubcommands().get("show");
    KeytrustException missing = new KeytrustException(CoreErrorCode.KEY_NOT_FOUND, "No key for user 'bob'.");
    assertThat(ExitCodes.message(missing, show)).isEqualTo("keytrust: No key for user 'bob'. Create one with"
        + " 'keytrust key create --user bob', or pass --store with the directory that holds it. [KT-0301]");
    KeytrustException alg = new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM, "No such curve.");
    assertThat(ExitCodes.message(alg, show)).contains("choose another --alg");
    // the tpm info command has --tpm but no key: no key advice, and --tpm advice only where the option exists
    CommandLine info = keytrust.getSubcommands().get("tpm").getSubcommands().get("info");
    assertThat(ExitCodes.message(missing, info)).isEqualTo("keytrust: No key for user 'bob'. [KT-0301]");
    CommandLine decode = keytrust.getSubcommands().get("kcl").getSubcommands().get("decode");
    KeytrustException uri = new KeytrustException(CoreErrorCode.UNKNOWN_TPM_URI, "Bad URI.");
    assertThat(ExitCodes.message(uri, decode)).isEqualTo("keytrust: Bad URI. [KT-0002]");
    assertThat(ExitCodes.message(uri, info)).contains("--tpm or the variable KEYTRUST_TPM");
  }

  @Test
  void messageIsOneLineWithTheCodeId() {
    KeytrustException e = new KeytrustException(CoreErrorCode.KEY_NOT_FOUND, "No key for user 'bob'.\n  Create one first.");
    assertThat(ExitCodes.message(e, null)).isEqualTo("keytrust: No key for user 'bob'. Create one first. [KT-0301]");
  }

  @Test
  void wrongPinSaysHowManyTriesAreLeft() {
    assertThat(ExitCodes.message(new WrongPinException(4, "The PIN is wrong."), null))
        .isEqualTo("keytrust: The PIN is wrong. (4 tries left before lockout) [KT-0201]");
    assertThat(ExitCodes.message(new WrongPinException(1, "The PIN is wrong."), null))
        .isEqualTo("keytrust: The PIN is wrong. (1 try left before lockout) [KT-0201]");
    assertThat(ExitCodes.message(new WrongPinException(0, "The PIN is wrong."), null))
        .isEqualTo("keytrust: The PIN is wrong. (no tries left) [KT-0201]");
    assertThat(ExitCodes.message(new WrongPinException(-1, "The PIN is wrong."), null))
        .isEqualTo("keytrust: The PIN is wrong. [KT-0201]");
  }

  @Test
  void triesLeftAreNotRepeatedWhenTheMessageSaysThemAlready() {
    assertThat(ExitCodes.message(new WrongPinException(4, "Wrong PIN: 4 tries left before the key locks."), null))
        .isEqualTo("keytrust: Wrong PIN: 4 tries left before the key locks. [KT-0201]");
    assertThat(ExitCodes.message(new WrongPinException(2, "Wrong PIN. 2 of 3 tries left."), null))
        .isEqualTo("keytrust: Wrong PIN. 2 of 3 tries left. [KT-0201]");
    assertThat(ExitCodes.message(new WrongPinException(1, "Wrong PIN: 1 try left."), null))
        .isEqualTo("keytrust: Wrong PIN: 1 try left. [KT-0201]");
    // a different number in the text is not the count: still added
    assertThat(ExitCodes.message(new WrongPinException(3, "Wrong PIN after 14 tries."), null))
        .endsWith("(3 tries left before lockout) [KT-0201]");
  }

  @Test
  void lockoutSaysWhenToTryAgain() {
    assertThat(ExitCodes.message(new LockedOutException(Duration.ofSeconds(580), "Locked out."), null))
        .isEqualTo("keytrust: Locked out. (try again in 9 min 40 s) [KT-0202]");
    assertThat(ExitCodes.message(new LockedOutException(Duration.ofSeconds(580), "Locked. Try again in 10 min."), null))
        .isEqualTo("keytrust: Locked. Try again in 10 min. [KT-0202]");
    assertThat(ExitCodes.message(new LockedOutException(Duration.ofSeconds(580), "Locked: retry in 10 min."), null))
        .isEqualTo("keytrust: Locked: retry in 10 min. [KT-0202]");
    assertThat(ExitCodes.message(new LockedOutException(Duration.ZERO, "Locked; ask the owner."), null))
        .isEqualTo("keytrust: Locked; ask the owner. [KT-0202]");
  }

  @Test
  void handlerPrintsTheLineAndReturnsTheMappedCode() {
    CommandLine cmd = new CommandLine(new Dummy());
    java.io.StringWriter err = new java.io.StringWriter();
    cmd.setErr(new java.io.PrintWriter(err));
    int code = exitCodes.handleExecutionException(
        new KeytrustException(CoreErrorCode.UNKNOWN_TPM_URI, "Cannot use TPM 'x'."), cmd, null);
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("keytrust: Cannot use TPM 'x'. [KT-0002]" + System.lineSeparator());
  }

  @Test
  void handlerReportsUnexpectedExceptionsAsBugsWithExitOne() {
    CommandLine cmd = new CommandLine(new Dummy());
    java.io.StringWriter err = new java.io.StringWriter();
    cmd.setErr(new java.io.PrintWriter(err));
    int code = exitCodes.handleExecutionException(new NullPointerException("boom"), cmd, null);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).startsWith("keytrust: unexpected error: java.lang.NullPointerException: boom")
        .contains("[KT-0900]");
  }

  @Test
  void usageListDocumentsAllThreeCodes() {
    assertThat(ExitCodes.usageList()).containsOnlyKeys("0", "1", "2");
  }

  @Command(name = "dummy")
  static final class Dummy implements Runnable {
    @Override
    public void run() {}
  }
}
