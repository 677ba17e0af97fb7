package dev.keytrust.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code keytrust keys}: a user's keys on this machine, at the key service and in the directory. Its
 * subcommands are added by {@link KeytrustCli#SUBCOMMANDS}.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A user's keys side by side (key store, key service, directory), and orphans removed.")
final class KeysCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing a command: use 'list' or 'prune'");
  }
}
