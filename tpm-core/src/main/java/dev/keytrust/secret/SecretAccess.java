package dev.keytrust.secret;

/**
 * A capability token: every method that gives out the bytes of a secret ({@link
 * SecretBuffer#copy(SecretAccess)}, {@link SecretBuffer#withCopy}) takes one, so each place that
 * reads a secret names it and can be found with {@code grep InsecureSecretAccess}. Modelled on
 * Tink's {@code SecretKeyAccess}.
 *
 * <p>The only way to get one is {@link InsecureSecretAccess#get()}: code that calls it takes
 * responsibility for the bytes it reads (zeroing its copies, never logging or storing them).
 */
public final class SecretAccess {
  static final SecretAccess INSTANCE = new SecretAccess();

  private SecretAccess() {}

  @Override
  public String toString() {
    return "SecretAccess";
  }
}
