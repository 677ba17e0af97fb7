package dev.keytrust.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keytrust tpm}: commands about the TPM itself. */
@Command(
    name = "tpm",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Look at the TPM.")
final class TpmCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing a command: use 'info'");
  }
}
