package dev.keytrust.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keytrust key}: a user's PIN-protected key. */
@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Create, use and remove a user's PIN-protected key.")
final class KeyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "Missing a command: use 'create', 'sign', 'show', 'delete', 'export' or 'attest'");
  }
}
