package dev.keytrust.agent.cli;

import dev.keytrust.tpm.TpmUri;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
  /** The commands, in the order the help lists them (added in code: see {@link #commandLine(CliEnvironment, String[])}). */
  static final List<Class<?>> COMMANDS = List.of(TpmCommand.class, KeyCommand.class, KclCommand.class,
      ProvisionCommand.class, PinCommand.class, ResetCommand.class, StatusCommand.class, DirectoryCommand.class,
      AuthenticateCommand.class, KinitCommand.class, PamAuthCommand.class, SyncWatchCommand.class, KeysCommand.class);
  /** The subcommands of the commands that have them, in the order their help lists them (added in code too). */
  static final Map<Class<?>, List<Class<?>>> SUBCOMMANDS = Map.of(
      KeyCommand.class, List.of(KeyCreateCommand.class, KeySignCommand.class, KeyShowCommand.class, KeyDeleteCommand.class, KeyExportCommand.class, KeyAttestCommand.class),
      KclCommand.class, List.of(KclDecodeCommand.class, KclEncodeCommand.class),
      PinCommand.class, List.of(PinChangeCommand.class),
      TpmCommand.class, List.of(TpmInfoCommand.class),
      DirectoryCommand.class, List.of(DirectoryCheckPermissionsCommand.class),
      KeysCommand.class, List.of(KeysListCommand.class, KeysPruneCommand.class));

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
    Logging.configureDefault();
    System.exit(commandLine(CliEnvironment.system(), args).execute(args));
  }

  /** The configured command line over {@code environment} with every command: handlers, exit codes, usage. */
  static CommandLine commandLine(CliEnvironment environment) {
    return commandLine(environment, (List<String>) null);
  }

  /**
   * {@link #commandLine(CliEnvironment)} for running {@code args}: when they name a command (the
   * first word that is not an option), only that command is built, and when the second word names
   * one of its subcommands, only that one, so that a run does not load, instantiate and inspect
   * the classes of the others (most of picocli's share of the start-up); {@code --version} alone
   * builds none; where a word names nothing (no command, an unknown word) every command of that
   * level is built, so that help and errors are the same.
   */
  static CommandLine commandLine(CliEnvironment environment, String[] args) {
    if (args.length == 1 && (args[0].equals("-V") || args[0].equals("--version"))) {
      return commandLine(environment, NO_COMMAND); // the version alone needs no command
    }
    List<String> words = new ArrayList<>();
    for (String a : args) {
      if (!a.startsWith("-")) {
        words.add(a);
      }
    }
    return commandLine(environment, words);
  }

  /** The words that build the root alone (compared by identity). */
  private static final List<String> NO_COMMAND = new ArrayList<>();

  /** The class among {@code candidates} that {@code word} names, or null. */
  private static Class<?> named(List<Class<?>> candidates, String word) {
    for (Class<?> c : candidates) {
      Command command = c.getAnnotation(Command.class);
      if (command.name().equals(word) || Arrays.asList(command.aliases()).contains(word)) {
        return c;
      }
    }
    return null;
  }

  /**
   * The root with the command the first word names (and of its subcommands the one the second
   * word names), or all where a word names none; the words are the arguments that are not
   * options (null for every command at every level).
   */
  private static CommandLine commandLine(CliEnvironment environment, List<String> words) {
    CommandLine cmd = new CommandLine(new KeytrustCli(environment));
    Class<?> top = words == null || words.isEmpty() ? null : named(COMMANDS, words.get(0));
    for (Class<?> c : words == NO_COMMAND ? List.<Class<?>>of() : top != null ? List.<Class<?>>of(top) : COMMANDS) {
      cmd.addSubcommand(c);
      CommandLine added = cmd.getSubcommands().get(c.getAnnotation(Command.class).name());
      List<Class<?>> children = SUBCOMMANDS.getOrDefault(c, List.of());
      Class<?> child = top != null && words.size() > 1 ? named(children, words.get(1)) : null;
      for (Class<?> s : child != null ? List.<Class<?>>of(child) : children) {
        added.addSubcommand(s);
      }
    }
    ExitCodes exitCodes = new ExitCodes();
    cmd.setExitCodeExceptionMapper(exitCodes);
    cmd.setExecutionExceptionHandler(exitCodes);
    cmd.setParameterExceptionHandler(exitCodes);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setExecutionStrategy(new Execution());
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
   * follows it. A class, not a lambda: a lambda of picocli's interface (a Java 5 class file) makes
   * the launcher's class-data archive leave out that interface and RunLast (the JVM cannot archive
   * an old class linked while the archive is made), so every run would read them from the jar.
   */
  private static final class Execution implements CommandLine.IExecutionStrategy {
    @Override
    public int execute(ParseResult parseResult) {
      for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
        if (!level.unmatched().isEmpty()) {
          throw new UnmatchedArgumentException(level.commandSpec().commandLine(), level.unmatched());
        }
      }
      return new CommandLine.RunLast().execute(parseResult);
    }
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
