package dev.keytrust.agent.cli;

import dev.keytrust.agent.pam.PamResult;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.Durations;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.error.WrongPinException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The CLI's exit codes and the one-line error messages that go with them:
 * {@code keytrust: <message> [<code id>]} on stderr.
 *
 * <ul>
 *   <li>{@value #OK}: success
 *   <li>{@value #FAILED}: the operation failed (TPM, wrong PIN, lockout, key store, ...)
 *   <li>{@value #BAD_INPUT}: bad input: a usage error, or an error whose {@link ErrorCode#badInput()}
 * </ul>
 */
final class ExitCodes implements IExitCodeExceptionMapper, IExecutionExceptionHandler, IParameterExceptionHandler {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;

  private static final Logger log = LoggerFactory.getLogger(ExitCodes.class);

  /** The exit code list shown at the end of every command's usage help. */
  static Map<String, String> usageList() {
    Map<String, String> list = new LinkedHashMap<>();
    list.put(OK + "", "Success.");
    list.put(FAILED + "", "The operation failed (TPM error, wrong PIN, lockout, key store error).");
    list.put(BAD_INPUT + "", "Bad input: unknown option, missing or invalid value, PINs that differ.");
    return list;
  }

  @Override
  public int getExitCode(Throwable exception) {
    if (exception instanceof ParameterException) {
      return BAD_INPUT;
    }
    if (exception instanceof KeytrustException k) {
      return k.code().badInput() ? BAD_INPUT : FAILED;
    }
    return FAILED;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (ex instanceof KeytrustException k) {
      log.debug("{} failed", commandLine.getCommandName(), k);
      err.println(message(k, commandLine));
    } else {
      // not a failure keytrust expects: a bug. Say so, and give the stack trace to -v.
      log.error("unexpected error in '{}'", commandLine.getCommandSpec().qualifiedName(), ex);
      err.println("keytrust: unexpected error: " + oneLine(String.valueOf(ex))
          + " (this is a bug in keytrust; run again with -v for details) [" + CoreErrorCode.INTERNAL.id() + "]");
    }
    err.flush();
    return getExitCode(ex);
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    if (cmd.getCommandSpec().userObject() instanceof PamAuthCommand) {
      // pam-auth speaks PAM: one line on stdout (pam_exec's 'stdout'), PAM_SERVICE_ERR
      PamAuthCommand.silenceLogging();
      cmd.getOut().println("keytrust: " + PamResult.SERVICE_ERR.word() + ": " + oneLine(ex.getMessage())
          + " (see 'keytrust pam-auth --help') [" + CoreErrorCode.INVALID_ARGUMENT.id() + "]");
      cmd.getOut().flush();
      return PamResult.SERVICE_ERR.exitCode();
    }
    PrintWriter err = cmd.getErr();
    String message = ex.getMessage();
    List<String> unmatched = cmd.getUnmatchedArguments();
    if (!(ex instanceof UnmatchedArgumentException) && !unmatched.isEmpty()) {
      // picocli reports missing required options before unknown ones; the unknown one is the news
      String first = unmatched.get(0);
      message = (first.startsWith("-") ? "Unknown option: '" : "Unmatched argument: '") + first + "'";
    }
    err.println("keytrust: " + oneLine(message) + " (see '"
        + cmd.getCommandSpec().qualifiedName() + " --help') [" + CoreErrorCode.INVALID_ARGUMENT.id() + "]");
    err.flush();
    return BAD_INPUT;
  }

  /**
   * The one line printed for a keytrust error. A wrong PIN says how many tries are left and a
   * lockout says when to try again, unless the library's message already says so; {@link
   * CliAdvice} adds what to do with the CLI's own options.
   *
   * @param command the command that failed (for the advice), or null
   */
  static String message(KeytrustException k, CommandLine command) {
    String text = oneLine(k.getMessage());
    StringBuilder line = new StringBuilder("keytrust: ").append(text);
    if (k instanceof WrongPinException w && w.triesLeft().isPresent()) {
      int left = w.triesLeft().getAsInt();
      Pattern said = Pattern.compile("\\b" + left + "\\s+(of\\s+\\d+\\s+)?tr(y|ies)\\b");
      if (!said.matcher(text).find()) {
        line.append(left == 0 ? " (no tries left)" : " (" + left + (left == 1 ? " try" : " tries") + " left before lockout)");
      }
    } else if (k instanceof LockedOutException l && !l.retryAfter().isZero() && !l.retryAfter().isNegative()) {
      String lower = text.toLowerCase(Locale.ROOT);
      if (!lower.contains("try again in") && !lower.contains("retry in")) {
        line.append(" (try again in ").append(Durations.human(l.retryAfter())).append(')');
      }
    }
    CliAdvice.forCode(k.code(), command).ifPresent(advice -> line.append(' ').append(advice));
    return line.append(" [").append(k.code().id()).append(']').toString();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
