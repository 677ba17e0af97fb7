package dev.keytrust.agent.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keytrust directory ...}: checks of the on-premises directory key trust writes into. */
@Command(
    name = "directory",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Check the directory that holds msDS-KeyCredentialLink.")
final class DirectoryCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing a command: use 'check-permissions'");
  }
}
