package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustException;

/**
 * Carries a {@link PkinitSigner}'s error (wrong PIN, lockout, TPM) through Bouncy Castle's {@code
 * ContentSigner}, whose methods cannot throw checked exceptions; {@link #unwrap} gets it back.
 */
final class SignerFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SignerFailure(KeytrustException cause) {
    super(cause.getMessage(), cause, false, false);
  }

  KeytrustException unwrap() {
    return (KeytrustException) getCause();
  }
}
