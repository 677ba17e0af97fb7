package dev.keytrust.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keytrust pin}: the PIN of a provisioned user. */
@Command(
    name = "pin",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "The PIN of a provisioned user.")
final class PinCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing a command: use 'pin change'");
  }
}
