package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.secret.Pin;
import java.security.PublicKey;
import java.util.Objects;

/**
 * A {@link PkinitSigner} over a user's Hello key: the TPM or the software provider signs, after the
 * PIN unlocks the key. This is the one place where kinit hands the PIN to {@link HelloKeys#sign};
 * the PIN is the caller's, who destroys it after the sign-in.
 */
public final class HelloKeySigner implements PkinitSigner {
  private final HelloKeys keys;
  private final KeyContainer key;
  private final Pin pin;

  private HelloKeySigner(HelloKeys keys, KeyContainer key, Pin pin) {
    this.keys = keys;
    this.key = key;
    this.pin = pin;
  }

  /**
   * The key of {@code user} in {@code keys}, unlocked by {@code pin} at each signature. {@code pin}
   * is not copied: destroy it once the sign-in is over.
   *
   * @throws KeytrustException KEY_NOT_FOUND, STORE_CORRUPT (the stored public key)
   */
  public static HelloKeySigner of(HelloKeys keys, String user, Pin pin) throws KeytrustException {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(pin, "pin");
    KeyContainer key = keys.show(Objects.requireNonNull(user, "user"));
    key.publicKey(); // a damaged stored key fails here, before any signature
    return new HelloKeySigner(keys, key, pin);
  }

  /** The stored key (public data). */
  public KeyContainer key() {
    return key;
  }

  @Override
  public PublicKey publicKey() {
    try {
      return key.publicKey();
    } catch (KeytrustException e) {
      throw new IllegalStateException("checked in of()", e);
    }
  }

  @Override
  public byte[] sign(byte[] data) throws KeytrustException {
    return keys.sign(key.user(), data, pin);
  }

  @Override
  public String toString() {
    return "HelloKeySigner[" + key.user() + ", " + key.provider().id() + " " + key.algorithm().id() + "]";
  }
}
