package dev.keytrust.agent.cli;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.TpmUri;
import picocli.CommandLine.Option;

/** {@code --tpm URI}, shared by the commands that talk to a TPM. */
final class TpmOption {

  @Option(
      names = "--tpm",
      paramLabel = "URI",
      description = {
        "The TPM: mssim://HOST:PORT, unix:PATH, device:PATH, tbs:, auto or software.",
        "auto: on Linux the first TPM 2.0 resource manager (normally /dev/tpmrm0), on Windows tbs:.",
        "Default: the variable " + TpmUri.ENV + ", else " + TpmSelection.LINUX_DEFAULT
            + " (Linux) or " + TpmSelection.WINDOWS_DEFAULT + " (Windows)."
      })
  String tpm;

  TpmUri resolve(CliEnvironment environment) throws KeytrustException {
    return TpmSelection.resolve(tpm, environment);
  }

  /**
   * The provider for using an existing key: what {@code --tpm} or {@link TpmUri#ENV} names; when
   * neither is given, a software key is used with the software provider (the key says where it
   * lives, so this is no fallback) and a TPM key with the platform's TPM.
   */
  TpmUri resolveFor(KeyContainer key, CliEnvironment environment) throws KeytrustException {
    if (tpm == null && environment.getenv(TpmUri.ENV).filter(v -> !v.isBlank()).isEmpty()
        && key.provider() == ProviderKind.SOFTWARE) {
      return TpmUri.parse(TpmUri.SOFTWARE);
    }
    return resolve(environment);
  }
}
