package dev.keytrust.agent.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** RFC 6238 Appendix B test vectors (T0 = 0, X = 30 s, 8 digits) and the verifier's window. */
class TotpTest {
  // Appendix B seeds: the ASCII digits "1234567890" repeated to 20, 32 and 64 bytes
  private static final byte[] SEED_SHA1 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEED_SHA256 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEED_SHA512 =
      "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

  static Stream<Arguments> rfc6238AppendixB() {
    return Stream.of(
        Arguments.of(59L, "0000000000000001", "94287082", TotpAlgorithm.SHA1),
        Arguments.of(59L, "0000000000000001", "46119246", TotpAlgorithm.SHA256),
        Arguments.of(59L, "0000000000000001", "90693936", TotpAlgorithm.SHA512),
        Arguments.of(1111111109L, "00000000023523EC", "07081804", TotpAlgorithm.SHA1),
        Arguments.of(1111111109L, "00000000023523EC", "68084774", TotpAlgorithm.SHA256),
        Arguments.of(1111111109L, "00000000023523EC", "25091201", TotpAlgorithm.SHA512),
        Arguments.of(1111111111L, "00000000023523ED", "14050471", TotpAlgorithm.SHA1),
        Arguments.of(1111111111L, "00000000023523ED", "67062674", TotpAlgorithm.SHA256),
        Arguments.of(1111111111L, "00000000023523ED", "99943326", TotpAlgorithm.SHA512),
        Arguments.of(1234567890L, "000000000273EF07", "89005924", TotpAlgorithm.SHA1),
        Arguments.of(1234567890L, "000000000273EF07", "91819424", TotpAlgorithm.SHA256),
        Arguments.of(1234567890L, "000000000273EF07", "93441116", TotpAlgorithm.SHA512),
        Arguments.of(2000000000L, "0000000003F940AA", "69279037", TotpAlgorithm.SHA1),
        Arguments.of(2000000000L, "0000000003F940AA", "90698825", TotpAlgorithm.SHA256),
        Arguments.of(2000000000L, "0000000003F940AA", "38618901", TotpAlgorithm.SHA512),
        Arguments.of(20000000000L, "0000000027BC86AA", "65353130", TotpAlgorithm.SHA1),
        Arguments.of(20000000000L, "0000000027BC86AA", "77737706", TotpAlgorithm.SHA256),
        Arguments.of(20000000000L, "0000000027BC86AA", "47863826", TotpAlgorithm.SHA512));
  }

  private static Totp totp(TotpAlgorithm alg, int digits) {
    byte[] seed = switch (alg) {
      case SHA1 -> SEED_SHA1;
      case SHA256 -> SEED_SHA256;
      case SHA512 -> SEED_SHA512;
    };
    return new Totp(seed, alg, digits, Duration.ofSeconds(30));
  }

  @ParameterizedTest(name = "RFC 6238 B: T={0} ({1}) {3} -> {2}")
  @MethodSource("rfc6238AppendixB")
  void appendixBVectors(long unixTime, String stepHex, String expected, TotpAlgorithm alg) {
    Totp t = totp(alg, 8);
    Instant at = Instant.ofEpochSecond(unixTime);
    assertThat(t.timeStep(at)).isEqualTo(Long.parseLong(stepHex, 16));
    assertThat(new String(t.code(t.timeStep(at)))).isEqualTo(expected);
    assertThat(t.match(expected.toCharArray(), at)).hasValue(Long.parseLong(stepHex, 16));
  }

  @ParameterizedTest(name = "six digits are the last six of the RFC value: T={0} {3}")
  @MethodSource("rfc6238AppendixB")
  void sixDigitCodesAreTheSameValueModuloAMillion(long unixTime, String stepHex, String expected,
      TotpAlgorithm alg) {
    Totp t = totp(alg, 6);
    assertThat(new String(t.code(t.timeStep(Instant.ofEpochSecond(unixTime))))).isEqualTo(expected.substring(2));
  }

  @Test
  void oneStepOfDriftIsAcceptedTwoAreNot() {
    Totp t = totp(TotpAlgorithm.SHA1, 8);
    Instant at = Instant.ofEpochSecond(1111111109L);
    long step = t.timeStep(at);
    assertThat(t.match(t.code(step - 1), at)).hasValue(step - 1);
    assertThat(t.match(t.code(step + 1), at)).hasValue(step + 1);
    assertThat(t.match(t.code(step - 2), at)).isEmpty();
    assertThat(t.match(t.code(step + 2), at)).isEmpty();
  }

  @Test
  void wrongAndMalformedCodesDoNotMatch() {
    Totp t = totp(TotpAlgorithm.SHA256, 8);
    Instant at = Instant.ofEpochSecond(59);
    assertThat(t.match("46119247".toCharArray(), at)).isEmpty();
    assertThat(t.match("4611924".toCharArray(), at)).isEmpty();
    assertThat(t.match("461192460".toCharArray(), at)).isEmpty();
    assertThat(t.match("".toCharArray(), at)).isEmpty();
  }

  @Test
  void parametersAreChecked() {
    assertThatThrownBy(() -> new Totp(new byte[9], TotpAlgorithm.SHA1, 6, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(SEED_SHA1, TotpAlgorithm.SHA1, 5, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(SEED_SHA1, TotpAlgorithm.SHA1, 9, Duration.ofSeconds(30)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Totp(SEED_SHA1, TotpAlgorithm.SHA1, 6, Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSecretIsCopiedHiddenAndDestroyable() {
    byte[] seed = SEED_SHA1.clone();
    Totp t = new Totp(seed, TotpAlgorithm.SHA1, 8, Duration.ofSeconds(30));
    java.util.Arrays.fill(seed, (byte) 0);
    assertThat(new String(t.code(1))).isEqualTo("94287082");
    assertThat(t.toString()).isEqualTo("Totp[SHA1, 8 digits, 30 s]");
    t.destroy();
    assertThatThrownBy(() -> t.code(1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void algorithmNamesAsOtpauthWritesThem() {
    assertThat(TotpAlgorithm.fromName("sha256")).contains(TotpAlgorithm.SHA256);
    assertThat(TotpAlgorithm.fromName("SHA-512")).contains(TotpAlgorithm.SHA512);
    assertThat(TotpAlgorithm.fromName("MD5")).isEmpty();
  }

  @Test
  void base32AsRfc4648Section10() {
    String[][] vectors = {{"", ""}, {"MY======", "f"}, {"MZXQ====", "fo"}, {"MZXW6===", "foo"},
        {"MZXW6YQ=", "foob"}, {"MZXW6YTB", "fooba"}, {"MZXW6YTBOI======", "foobar"}};
    for (String[] v : vectors) {
      char[] in = v[0].toCharArray();
      assertThat(new String(Base32.decode(in, 0, in.length), StandardCharsets.US_ASCII)).as(v[0]).isEqualTo(v[1]);
    }
    char[] spaced = "mzxw 6ytb oi".toCharArray();
    assertThat(new String(Base32.decode(spaced, 0, spaced.length), StandardCharsets.US_ASCII)).isEqualTo("foobar");
    for (String bad : new String[] {"MZXW1", "MZ=XW", "M", "MZX"}) {
      char[] in = bad.toCharArray();
      assertThatThrownBy(() -> Base32.decode(in, 0, in.length)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
