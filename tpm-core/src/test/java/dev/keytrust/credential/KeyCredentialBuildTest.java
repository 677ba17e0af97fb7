package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KeyCredential#build} makes its value without parsing it back: whatever it reports must be
 * what a parse of its bytes reports (the checks it no longer repeats hold by construction).
 */
class KeyCredentialBuildTest {
  static PublicKey key(String alg) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(alg.equals("rsa") ? "RSA" : "EC");
    if (alg.equals("rsa")) {
      g.initialize(2048);
    } else {
      g.initialize(new ECGenParameterSpec("secp256r1"));
    }
    return g.generateKeyPair().getPublic();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa", "p256"})
  void aBuiltValueReportsWhatItsParsedBytesReport(String alg) throws Exception {
    PublicKey key = key(alg);
    for (KeyCredentialOptions options : new KeyCredentialOptions[] {
        KeyCredentialOptions.userKey(UUID.randomUUID(), Instant.parse("2026-12-01T08:00:00Z")),
        KeyCredentialOptions.userKey(null, Instant.parse("2026-12-01T08:00:00Z"))}) {
      KeyCredential built = KeyCredential.build(key, options);
      KeyCredential parsed = KeyCredential.parse(built.toByteArray());

      assertThat(built).isEqualTo(parsed);
      assertThat(built.roundTripIdentical()).isTrue();
      assertThat(built.keyHashValid()).contains(true).isEqualTo(parsed.keyHashValid());
      assertThat(built.keyIdMatchesKeyMaterial()).contains(true).isEqualTo(parsed.keyIdMatchesKeyMaterial());
      assertThat(built.entries()).isEqualTo(parsed.entries());
      assertThat(built.keyId().orElseThrow()).isEqualTo(parsed.keyId().orElseThrow())
          .isEqualTo(BcryptKeyBlob.keyId(key));
      assertThat(built.keyHash().orElseThrow()).isEqualTo(parsed.keyHash().orElseThrow());
      assertThat(built.keyMaterial().orElseThrow()).isEqualTo(parsed.keyMaterial().orElseThrow())
          .isNotInstanceOf(UnknownKeyMaterial.class);
      assertThat(built.usage()).isEqualTo(parsed.usage());
      assertThat(built.source()).isEqualTo(parsed.source());
      assertThat(built.deviceId()).isEqualTo(parsed.deviceId());
      assertThat(built.customKeyInformation()).isEqualTo(parsed.customKeyInformation());
      assertThat(built.creationTime()).isEqualTo(parsed.creationTime()).contains(Instant.parse("2026-12-01T08:00:00Z"));
      assertThat(built.lastLogonTime()).isEqualTo(parsed.lastLogonTime());
      assertThat(built.timestampEncoding()).isEqualTo(parsed.timestampEncoding());
      assertThat(built.weakKey()).isEqualTo(parsed.weakKey());
    }
  }
}
