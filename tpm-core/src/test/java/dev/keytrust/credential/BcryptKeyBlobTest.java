package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The BCRYPT blob codec and key ids against RSA1 key material and KeyIDs that directories and public tools produced. */
class BcryptKeyBlobTest {
  record Vector(String id, String source, byte[] material, String keyId) {
    @Override
    public String toString() {
      return id;
    }
  }

  static Stream<Vector> rsa1Vectors() throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        BcryptKeyBlobTest.class.getResourceAsStream("/vectors/rsa1-keyid.txt"), StandardCharsets.UTF_8))) {
      List<Vector> out = r.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> {
        String[] f = l.split(" \\| ");
        return new Vector(f[0], f[1], HexFormat.of().parseHex(f[2]), f[3]);
      }).toList();
      assertThat(out).hasSizeGreaterThanOrEqualTo(10);
      return out.stream();
    }
  }

  /** Parses BCRYPT_RSAKEY_BLOB (public) independently of the code under test. */
  static PublicKey parseRsa1(byte[] blob) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt()).isEqualTo(0x31415352);
    b.getInt();
    int cbExp = b.getInt();
    int cbMod = b.getInt();
    assertThat(b.getInt()).isZero();
    assertThat(b.getInt()).isZero();
    byte[] e = new byte[cbExp];
    byte[] n = new byte[cbMod];
    b.get(e).get(n);
    assertThat(b.hasRemaining()).isFalse();
    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1, n), new BigInteger(1, e)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rsa1Vectors")
  void rsaBlobAndKeyIdMatchWhatDirectoriesHold(Vector v) throws Exception {
    PublicKey key = parseRsa1(v.material());
    assertThat(BcryptKeyBlob.of(key).encoded()).isEqualTo(v.material());
    BcryptKeyBlob parsed = BcryptKeyBlob.parse(v.material());
    assertThat(parsed.isRsa()).isTrue();
    assertThat(parsed.toPublicKey()).isEqualTo(key);
    assertThat(HexFormat.of().withUpperCase().formatHex(parsed.keyId())).isEqualTo(v.keyId());
    assertThat(HexFormat.of().withUpperCase().formatHex(BcryptKeyBlob.keyId(key))).isEqualTo(v.keyId());
  }

  @Test
  void p256BlobIsEcs1WithFixedLengthCoordinates() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    for (int i = 0; i < 20; i++) { // enough tries to meet a coordinate with a leading zero byte
      ECPublicKey k = (ECPublicKey) g.generateKeyPair().getPublic();
      byte[] blob = BcryptKeyBlob.of(k).encoded();
      assertThat(blob).hasSize(72);
      ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
      assertThat(b.getInt()).isEqualTo(0x31534345);
      assertThat(b.getInt()).isEqualTo(32);
      assertThat(new BigInteger(1, Arrays.copyOfRange(blob, 8, 40))).isEqualTo(k.getW().getAffineX());
      assertThat(new BigInteger(1, Arrays.copyOfRange(blob, 40, 72))).isEqualTo(k.getW().getAffineY());
    }
  }

  @Test
  void rsaModulusIsExactlyBitLengthOverEightBytes() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    byte[] blob = BcryptKeyBlob.of(g.generateKeyPair().getPublic()).encoded();
    assertThat(blob).hasSize(283);
    assertThat(Arrays.copyOfRange(blob, 0, 16))
        .isEqualTo(HexFormat.of().parseHex("52534131000800000300000000010000"));
  }

  @Test
  void p256BlobsRoundTripAndOnlyP256IsAccepted() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    PublicKey key = g.generateKeyPair().getPublic();
    BcryptKeyBlob blob = BcryptKeyBlob.of(key);
    BcryptKeyBlob parsed = BcryptKeyBlob.parse(blob.encoded());
    assertThat(parsed).isEqualTo(blob);
    assertThat(parsed.isRsa()).isFalse();
    assertThat(parsed.toPublicKey()).isEqualTo(key);
    assertThat(parsed.toString()).isEqualTo("BcryptKeyBlob[ECS1, P-256]");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    PublicKey p384 = g.generateKeyPair().getPublic();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BcryptKeyBlob.of(p384))
        .isInstanceOfSatisfying(dev.keytrust.error.KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(dev.keytrust.error.CoreErrorCode.KEY_CREDENTIAL_UNSUPPORTED_KEY));
  }

  @Test
  void malformedBlobsAreRefusedWithTheOffsetWhereReadingStopped() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    byte[] good = BcryptKeyBlob.of(g.generateKeyPair().getPublic()).encoded();
    byte[] truncated = Arrays.copyOf(good, good.length - 1);
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] withPrime = good.clone();
    withPrime[16] = 1;
    byte[] badMagic = good.clone();
    badMagic[0] = 'X';
    for (byte[] bad : new byte[][] {truncated, trailing, withPrime, badMagic, new byte[3], new byte[0]}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> BcryptKeyBlob.parse(bad))
          .isInstanceOfSatisfying(KeyCredentialFormatException.class, e -> {
            assertThat(e.code()).isEqualTo(dev.keytrust.error.CoreErrorCode.KEY_CREDENTIAL_MALFORMED);
            assertThat(e.offset()).isBetween(0, bad.length);
          });
    }
  }
}
