package dev.keytrust.lab;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** RSA-2048 public keys for the lab tests (generated once per JVM) and registrations of them. */
public final class TestKeys {
  private static final List<PublicKey> KEYS = new ArrayList<>();

  private TestKeys() {}

  /** The {@code n}th test key (0-based), the same object for the whole JVM. */
  public static synchronized PublicKey rsa(int n) {
    try {
      while (KEYS.size() <= n) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KEYS.add(g.generateKeyPair().getPublic());
      }
      return KEYS.get(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A registration of test key {@code n} for {@code upn}, as the provisioning flow makes it. */
  public static KeyRegistration registration(String upn, int n, UUID deviceId) {
    try {
      PublicKey key = rsa(n);
      Instant created = Instant.parse("2026-11-25T10:00:00Z");
      return new KeyRegistration(
          upn, null, BcryptKeyBlob.of(key).encoded(), BcryptKeyBlob.keyId(key),
          KeyCredential.build(key, KeyCredentialOptions.userKey(deviceId, created)).toByteArray(),
          deviceId, created);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
