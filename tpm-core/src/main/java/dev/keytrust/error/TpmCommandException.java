package dev.keytrust.error;

/** A TPM command failed with a response code that has no more specific meaning to keytrust. */
public final class TpmCommandException extends KeytrustException {
  private static final long serialVersionUID = 1L;
  private final int responseCode;
  private final String command;

  public TpmCommandException(ErrorCode code, String command, int responseCode, String message) {
    super(code, message);
    this.command = command;
    this.responseCode = responseCode;
  }

  /** The raw TPM_RC as the TPM returned it, including the parameter/handle/session bits. */
  public int responseCode() {
    return responseCode;
  }

  /** The TPM command name, e.g. {@code TPM2_Create}. */
  public String command() {
    return command;
  }
}
