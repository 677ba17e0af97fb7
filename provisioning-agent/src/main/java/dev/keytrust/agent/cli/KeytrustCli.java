package dev.keytrust.agent.cli;

import dev.keytrust.tpm.TpmUri;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code keytrust} command line: TPM facts and PIN-protected user keys, the way Windows Hello
 * for Business keeps them in hybrid key trust.
 *
 * <p>Results go to stdout, errors as one line to stderr, logs (WARN, or DEBUG with {@code -v}) to
 * stderr. Exit codes: 0 success, 1 the operation failed, 2 bad input.
 */
@Command(
    name = "keytrust",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "PIN-protected, TPM-bound user keys (Windows Hello for Business hybrid key trust).",
    subcommands = {TpmCommand.class, KeyCommand.class, KclCommand.class, ProvisionCommand.class, PinCommand.class, ResetCommand.class, StatusCommand.class, DirectoryCommand.class, AuthenticateCommand.class, KinitCommand.class, PamAuthCommand.class, SyncWatchCommand.class, KeysCommand.class},
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  " + TpmUri.ENV + "   the TPM when --tpm is not given,",
      "                 e.g. mssim://127.0.0.1:2321 or software",
      "",
      "Examples:",
      "  keytrust tpm info --tpm mssim://127.0.0.1:2321",
      "  keytrust key create --user alice --alg p256",
      "  echo \"$PIN\" | keytrust key sign --user alice --data-hex 00ff --pin-stdin",
      "  keytrust kcl decode @msds-keycredentiallink.txt"
    })
public final class KeytrustCli implements Callable<Integer> {

  private final CliEnvironment environment;

  @Spec CommandSpec spec;

  KeytrustCli(CliEnvironment environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Log keytrust's steps at DEBUG level to stderr.")
  void setVerbose(boolean verbose) {
    Logging.setVerbose(verbose);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing a command: use 'status', 'provision', 'pin',"
        + " 'reset', 'authenticate', 'kinit', 'pam-auth', 'sync-watch', 'keys', 'key', 'tpm', 'kcl' or 'directory'");
  }

  public static void main(String[] args) {
    Logging.useCliConfiguration();
    System.exit(commandLine(CliEnvironment.system()).execute(args));
  }

  /** The configured command line over {@code environment}: handlers, exit codes, usage. */
  static CommandLine commandLine(CliEnvironment environment) {
    CommandLine cmd = new CommandLine(new KeytrustCli(environment));
    ExitCodes exitCodes = new ExitCodes();
    cmd.setExitCodeExceptionMapper(exitCodes);
    cmd.setExecutionExceptionHandler(exitCodes);
    cmd.setParameterExceptionHandler(exitCodes);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setExecutionStrategy(KeytrustCli::execute);
    // "@FILE" is a value of its own ('kcl decode @FILE'), not a picocli argument file
    cmd.setExpandAtFiles(false);
    // the descriptions are written in lines of up to 100 characters; at picocli's default 80 every
    // line would wrap again in the middle
    cmd.setUsageHelpWidth(104);
    addExitCodeList(cmd);
    return cmd;
  }

  /**
   * Runs the command that was parsed, but never when a word was not understood: picocli tolerates
   * unmatched arguments when --help or --version is given and would show the root's help (exit
   * 0) for {@code keytrust no-such-command --help}; an unknown command is bad input whatever
   * follows it.
   */
  private static int execute(ParseResult parseResult) {
    for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
      if (!level.unmatched().isEmpty()) {
        throw new UnmatchedArgumentException(level.commandSpec().commandLine(), level.unmatched());
      }
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  private static void addExitCodeList(CommandLine cmd) {
    if (cmd.getCommandSpec().userObject() instanceof PamAuthCommand) {
      return; // PAM's result numbers, its own list
    }
    cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.usageList());
    for (CommandLine sub : cmd.getSubcommands().values()) {
      addExitCodeList(sub);
    }
  }

  /** The environment of the command line {@code spec} belongs to. */
  static CliEnvironment environment(CommandSpec spec) {
    return ((KeytrustCli) spec.root().userObject()).environment;
  }
}
