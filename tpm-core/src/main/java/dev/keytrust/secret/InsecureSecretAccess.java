package dev.keytrust.secret;

/**
 * Hands out the {@link SecretAccess} token. Named to stand out in a review: every caller reads
 * secret bytes and must zero what it copies and never log, print or persist them in clear.
 */
public final class InsecureSecretAccess {
  private InsecureSecretAccess() {}

  /** The token. */
  public static SecretAccess get() {
    return SecretAccess.INSTANCE;
  }
}
