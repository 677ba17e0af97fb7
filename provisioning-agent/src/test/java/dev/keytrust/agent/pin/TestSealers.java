package dev.keytrust.agent.pin;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.SealedSecret;
import dev.keytrust.key.SoftwareKeyProvider;
import dev.keytrust.key.SoftwareLockoutPolicy;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import java.nio.file.Path;
import java.time.Clock;

/** PIN sealers for the PIN tests: the real software key provider at the lowest Argon2id cost. */
final class TestSealers {
  static final Argon2Parameters CHEAP = new Argon2Parameters(64, 1, 1);

  private TestSealers() {}

  /**
   * Seals with a software key of the user in a store under {@code root}; a user without one gets a
   * key with the PIN being sealed (the tests record PINs without a provisioning flow).
   */
  static PinSealer software(Path root) {
    KeyContainerStore store = new KeyContainerStore(root);
    PinSealer real = PinSealer.withKeys(store, kind -> HelloKeys.of(store,
        new SoftwareKeyProvider(store, CHEAP, Clock.systemUTC(), SoftwareLockoutPolicy.DEFAULT), "software"));
    return new PinSealer() {
      @Override
      public SealedSecret seal(String user, SecretBuffer secret, Pin pin) throws KeytrustException {
        if (store.find(user).isEmpty()) {
          try (HelloKeys keys = HelloKeys.of(store,
              new SoftwareKeyProvider(store, CHEAP, Clock.systemUTC(), SoftwareLockoutPolicy.DEFAULT), "software")) {
            keys.create(user, KeyAlgorithm.ECC_P256, pin);
          }
        }
        return real.seal(user, secret, pin);
      }

      @Override
      public SecretBuffer unseal(String user, SealedSecret sealed, Pin pin) throws KeytrustException {
        return real.unseal(user, sealed, pin);
      }
    };
  }
}
