package dev.keytrust.attest;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;

/**
 * A TPM structure of an attestation that cannot be read: {@link CoreErrorCode#ATTEST_MALFORMED}
 * (bad input), with the structure's name and the byte {@link #offset()} where reading stopped.
 */
public final class AttestFormatException extends KeytrustException {
  private static final long serialVersionUID = 1L;
  private final int offset;

  AttestFormatException(String structure, String what, int offset) {
    super(
        CoreErrorCode.ATTEST_MALFORMED,
        "Malformed " + structure + " at byte " + offset + ": " + what
            + ". Check that the whole structure, as the TPM returned it, was passed.");
    this.offset = offset;
  }

  /** The byte offset into the structure where reading stopped. */
  public int offset() {
    return offset;
  }
}
