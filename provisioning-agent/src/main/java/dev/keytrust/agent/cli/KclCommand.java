package dev.keytrust.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keytrust kcl}: msDS-KeyCredentialLink values (KEYCREDENTIALLINK_BLOB, DN-binary). */
@Command(
    name = "kcl",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Decode and build msDS-KeyCredentialLink values (the key registrations of Windows Hello "
        + "for Business in Active Directory).")
final class KclCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing a command: use 'decode' or 'encode'");
  }
}
