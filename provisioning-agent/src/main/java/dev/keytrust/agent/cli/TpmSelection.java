package dev.keytrust.agent.cli;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the TPM: the {@code --tpm} option, else the {@value TpmUri#ENV} variable, else the
 * platform's TPM ({@code auto} on Linux, {@code tbs:} on Windows). It never falls back to the
 * software provider by itself: {@code software} must be asked for by name.
 *
 * <p>On Linux {@code auto} is resolved when the TPM is opened ({@link
 * dev.keytrust.tpm.TpmDiscovery}): on a usual machine it is {@code device:/dev/tpmrm0}, the former
 * default, but it also finds {@code /dev/tpmrm1} and up, and it says plainly when the machine has
 * no TPM, a TPM 1.2, or only a raw {@code /dev/tpm0}, which it never uses by itself.
 */
final class TpmSelection {

  static final String LINUX_DEFAULT = TpmUri.AUTO;
  static final String WINDOWS_DEFAULT = "tbs:";

  private TpmSelection() {}

  static TpmUri resolve(String option, CliEnvironment environment) throws KeytrustException {
    if (option != null) {
      return TpmUri.parse(option);
    }
    Optional<String> fromEnv = environment.getenv(TpmUri.ENV).filter(v -> !v.isBlank());
    if (fromEnv.isPresent()) {
      return TpmUri.parse(fromEnv.get());
    }
    return TpmUri.parse(platformDefault(environment.osName()));
  }

  static String platformDefault(String osName) throws KeytrustException {
    String os = osName.toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) {
      return LINUX_DEFAULT;
    }
    if (os.startsWith("windows")) {
      return WINDOWS_DEFAULT;
    }
    throw new KeytrustException(
        CoreErrorCode.INVALID_ARGUMENT,
        "keytrust knows no default TPM on " + osName + ": name one with --tpm or the variable "
            + TpmUri.ENV + " (mssim://HOST:PORT, unix:PATH, device:PATH, auto or software).");
  }
}
