package dev.keytrust.agent.pin;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.key.SealedSecret;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import java.util.Objects;

/**
 * Seals the {@link PinHistory}'s secret with a user's PIN, and opens it again, without the agent
 * touching TPM details: the key layer's {@link HelloKeys#seal} and {@link HelloKeys#unseal} with
 * the user's key (a DA-protected sealed data object in the TPM, or Argon2id at the software key's
 * cost).
 */
public interface PinSealer {

  /** Seals {@code secret} with {@code pin}, the PIN of the user's current key (just set or just proved). */
  SealedSecret seal(String user, SecretBuffer secret, Pin pin) throws KeytrustException;

  /** Opens what {@link #seal} made; a wrong PIN is counted as the provider counts the key's. */
  SecretBuffer unseal(String user, SealedSecret sealed, Pin pin) throws KeytrustException;

  /** Opens the provider of a kind over the user's key store, for one call; the caller closes it. */
  @FunctionalInterface
  interface KeyOpener {
    HelloKeys open(ProviderKind kind) throws KeytrustException;
  }

  /**
   * Seals with the provider of the user's key in {@code store}, unseals with the provider that
   * sealed; each call opens the provider only for its duration (a simulator serves one client).
   */
  static PinSealer withKeys(KeyContainerStore store, KeyOpener opener) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(opener, "opener");
    return new PinSealer() {
      @Override
      public SealedSecret seal(String user, SecretBuffer secret, Pin pin) throws KeytrustException {
        try (HelloKeys keys = opener.open(store.load(user).provider())) {
          return keys.seal(user, secret, pin);
        }
      }

      @Override
      public SecretBuffer unseal(String user, SealedSecret sealed, Pin pin) throws KeytrustException {
        try (HelloKeys keys = opener.open(sealed.provider())) {
          return keys.unseal(user, sealed, pin);
        }
      }

      @Override
      public String toString() {
        return "PinSealer[" + store.root() + "]";
      }
    };
  }
}
