package dev.keytrust.credential;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;

/**
 * A msDS-KeyCredentialLink value (binary blob or DN-Binary string) that cannot be read. Its
 * {@link #code()} is {@link CoreErrorCode#KEY_CREDENTIAL_MALFORMED} for blobs and {@link
 * CoreErrorCode#DN_BINARY_MALFORMED} for DN-Binary strings; both are bad input. {@link #offset()} says
 * where reading stopped: a byte offset into the blob, or a character offset into the DN-Binary
 * string.
 */
public final class KeyCredentialFormatException extends KeytrustException {
  private static final long serialVersionUID = 1L;
  private final int offset;

  KeyCredentialFormatException(ErrorCode code, String message, int offset) {
    this(code, message, offset, null);
  }

  KeyCredentialFormatException(ErrorCode code, String message, int offset, Throwable cause) {
    super(code, message, cause);
    this.offset = offset;
  }

  static KeyCredentialFormatException blob(String what, int offset) {
    return new KeyCredentialFormatException(
        CoreErrorCode.KEY_CREDENTIAL_MALFORMED,
        "Malformed msDS-KeyCredentialLink blob at byte " + offset + ": " + what
            + ". Check that the whole attribute value was copied.",
        offset);
  }

  static KeyCredentialFormatException dnBinary(String what, int offset) {
    return new KeyCredentialFormatException(
        CoreErrorCode.DN_BINARY_MALFORMED,
        "Malformed DN-Binary value at character " + offset + ": " + what
            + ". Expected B:<hex digit count>:<hex>:<owner DN>.",
        offset);
  }

  /**
   * Where the input went wrong: a byte offset into the binary blob, or, for a DN-Binary string, a
   * character offset into that string.
   */
  public int offset() {
    return offset;
  }
}
