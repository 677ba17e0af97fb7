package dev.keytrust.agent.cli;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import picocli.CommandLine.Option;

/** {@code --tpm URI}, shared by the commands that talk to a TPM. */
final class TpmOption {

  @Option(
      names = "--tpm",
      paramLabel = "URI",
      description = {
        "The TPM: mssim://HOST:PORT, unix:PATH, device:PATH, tbs: or software.",
        "Default: the variable " + TpmUri.ENV + ", else " + TpmSelection.LINUX_DEFAULT
            + " (Linux) or " + TpmSelection.WINDOWS_DEFAULT + " (Windows)."
      })
  String tpm;

  TpmUri resolve(CliEnvironment environment) throws KeytrustException {
    return TpmSelection.resolve(tpm, environment);
  }
}
