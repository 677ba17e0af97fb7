package dev.keytrust.tpm.session;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.TpmCommandException;

/** Turns a TPM response code other than success into the error a caller sees. */
@FunctionalInterface
public interface ResponseCodeMapper {

  /**
   * @param commandName e.g. {@code TPM2_Sign}
   * @param responseCode the raw TPM_RC with its parameter, handle and session bits
   */
  KeytrustException error(String commandName, int responseCode);

  /**
   * A {@link TpmCommandException} with {@code TPM_COMMAND_FAILED} for every code: the raw code and
   * the command name, no interpretation. {@code TpmSession} maps codes to wrong-PIN and lockout
   * errors instead.
   */
  static ResponseCodeMapper raw() {
    return (command, rc) -> new TpmCommandException(
        CoreErrorCode.TPM_COMMAND_FAILED, command, rc, String.format("%s failed with TPM response code 0x%03X.", command, rc));
  }
}
