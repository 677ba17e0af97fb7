package dev.keytrust.key;

import static dev.keytrust.key.TestKeys.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.TestPins;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.WrongPinException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SoftwareKeyProviderTest {
  static final Argon2Parameters FAST = new Argon2Parameters(256, 1, 1);
  static final byte[] MESSAGE = "keytrust sign-in challenge 0001".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;
  private KeyContainerStore store;
  private MutableClock clock;
  private SoftwareKeyProvider provider;

  @BeforeEach
  void setUp() {
    store = new KeyContainerStore(tmp.resolve("keys"));
    clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    provider = new SoftwareKeyProvider(store, FAST, clock, SoftwareLockoutPolicy.DEFAULT);
  }

  static Pin pin(String s) {
    return TestPins.pin(s);
  }

  static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  static boolean verifies(KeyContainer key, byte[] message, byte[] signature) throws Exception {
    Signature v = Signature.getInstance(key.algorithm().jcaSignatureAlgorithm());
    v.initVerify(key.publicKey());
    v.update(message);
    return v.verify(signature);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void createdKeySignsDigestsThatJcaVerifiesOverTheMessage(KeyAlgorithm alg) throws Exception {
    KeyContainer key = provider.create("alice", alg, pin("1234"));
    store.save(key);

    byte[] signature = provider.signDigest(store.load("alice"), sha256(MESSAGE), pin("1234"));

    assertThat(verifies(key, MESSAGE, signature)).isTrue();
    byte[] tampered = MESSAGE.clone();
    tampered[0] ^= 1;
    assertThat(verifies(key, tampered, signature)).isFalse();
    assertThat(key.provider()).isEqualTo(ProviderKind.SOFTWARE);
    assertThat(key.algorithm()).isEqualTo(alg);
    assertThat(key.keyId()).isEqualTo(BcryptKeyBlob.keyId(key.publicKey()));
    assertThat(key.createdAt()).isEqualTo(clock.instant());
    assertThat(((SoftwareKeyBlob) key.protectedKey()).kdf()).isEqualTo(FAST);
  }

  @Test
  void rsaKeysAre2048BitsWithExponent65537AndEcKeysAreP256() throws Exception {
    RSAPublicKey rsa = (RSAPublicKey) provider.create("alice", KeyAlgorithm.RSA_2048, pin("1234")).publicKey();
    ECPublicKey ec = (ECPublicKey) provider.create("bob", KeyAlgorithm.ECC_P256, pin("1234")).publicKey();

    assertThat(rsa.getModulus().bitLength()).isEqualTo(2048);
    assertThat(rsa.getPublicExponent()).isEqualTo(BigInteger.valueOf(65537));
    assertThat(ec.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(ec.getParams().getOrder())
        .isEqualTo(new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16));
  }

  @Test
  void everyKeyGetsItsOwnSaltNonceAndCounter() throws Exception {
    SoftwareKeyBlob a = (SoftwareKeyBlob) provider.create("alice", KeyAlgorithm.ECC_P256, pin("1234")).protectedKey();
    SoftwareKeyBlob b = (SoftwareKeyBlob) provider.create("alice", KeyAlgorithm.ECC_P256, pin("1234")).protectedKey();

    assertThat(a.salt()).hasSize(16).isNotEqualTo(b.salt());
    assertThat(a.nonce()).hasSize(12).isNotEqualTo(b.nonce());
    assertThat(a.counterId()).hasSize(32).isNotEqualTo(b.counterId());
    assertThat(a.initialState()).containsOnlyKeys(AttemptCounter.COUNTER_FILE, AttemptCounter.SECRET_FILE);
  }

  @Test
  void createWritesNothingTheKeyAndItsCounterComeWithSave() throws Exception {
    KeyContainer key = provider.create("alice", KeyAlgorithm.ECC_P256, pin("1234"));
    assertThat(store.root()).doesNotExist();

    store.save(key);

    try (var entries = Files.list(store.userDirectory("alice"))) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("key", AttemptCounter.COUNTER_FILE, AttemptCounter.SECRET_FILE);
    }
    SoftwareKeyBlob loaded = (SoftwareKeyBlob) store.load("alice").protectedKey();
    assertThat(loaded.counterId()).isEqualTo(((SoftwareKeyBlob) key.protectedKey()).counterId());
    assertThat(loaded.initialState()).as("read back: the state is on disk").isEmpty();
  }

  @Test
  void defaultArgon2ParametersWorkEndToEnd() throws Exception {
    SoftwareKeyProvider defaults = new SoftwareKeyProvider(store);
    KeyContainer key = defaults.create("alice", KeyAlgorithm.ECC_P256, pin("1234"));
    store.save(key);

    byte[] signature = defaults.signDigest(store.load("alice"), sha256(MESSAGE), pin("1234"));

    assertThat(((SoftwareKeyBlob) store.load("alice").protectedKey()).kdf()).isEqualTo(Argon2Parameters.DEFAULT);
    assertThat(verifies(key, MESSAGE, signature)).isTrue();
    assertThat(defaults.kind()).isEqualTo(ProviderKind.SOFTWARE);
  }

  @Test
  void nonAsciiPinsWork() throws Exception {
    store.save(provider.create("alice", KeyAlgorithm.ECC_P256, pin("Grüße-日本-🔑")));

    byte[] signature = provider.signDigest(store.load("alice"), sha256(MESSAGE), pin("Grüße-日本-🔑"));

    assertThat(verifies(store.load("alice"), MESSAGE, signature)).isTrue();
    failure(CoreErrorCode.WRONG_PIN, () -> provider.signDigest(store.load("alice"), sha256(MESSAGE), pin("Gruße-日本-🔑")));
  }

  @Test
  void theCallersPinIsLeftForTheCallerToDestroy() throws Exception {
    try (Pin p = pin("1234")) {
      store.save(provider.create("alice", KeyAlgorithm.ECC_P256, p));
      provider.signDigest(store.load("alice"), sha256(MESSAGE), p);
      assertThat(p.isDestroyed()).isFalse();
      provider.signDigest(store.load("alice"), sha256(MESSAGE), p);
    }
  }

  // ---- the at-rest format: decrypted here independently of the provider ---------------------

  /** Decrypts as the class Javadoc documents, without calling the provider. */
  static byte[] decryptAsDocumented(KeyContainer key, char[] pin) throws Exception {
    SoftwareKeyBlob blob = (SoftwareKeyBlob) key.protectedKey();
    ByteBuffer pinBuffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pin));
    byte[] pinBytes = new byte[pinBuffer.remaining()];
    pinBuffer.get(pinBytes);
    byte[] kek = new byte[32];
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
            org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id)
        .withVersion(0x13).withSalt(blob.salt()).withMemoryAsKB(blob.kdf().memoryKiB())
        .withIterations(blob.kdf().iterations()).withParallelism(blob.kdf().parallelism()).build());
    g.generateBytes(pinBytes, kek);
    ByteArrayOutputStream aad = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(aad);
    out.write("keytrust/software-key/v1".getBytes(StandardCharsets.US_ASCII));
    out.write(0);
    byte[] user = key.user().getBytes(StandardCharsets.UTF_8);
    out.writeInt(user.length);
    out.write(user);
    out.writeInt(key.algorithm().id().length());
    out.write(key.algorithm().id().getBytes(StandardCharsets.US_ASCII));
    out.writeInt(key.keyId().length);
    out.write(key.keyId());
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, blob.nonce()));
    c.updateAAD(aad.toByteArray());
    return c.doFinal(blob.ciphertext());
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void privateKeyIsNeverInTheStoreInClear(KeyAlgorithm alg) throws Exception {
    KeyContainer key = provider.create("alice", alg, pin("1234"));
    store.save(key);
    provider.signDigest(key, sha256(MESSAGE), pin("1234"));
    byte[] pkcs8 = decryptAsDocumented(key, "1234".toCharArray());
    PrivateKey priv = KeyFactory.getInstance(alg == KeyAlgorithm.RSA_2048 ? "RSA" : "EC")
        .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    byte[] secretNumber = priv instanceof RSAPrivateCrtKey rsa
        ? rsa.getPrivateExponent().toByteArray() : ((ECPrivateKey) priv).getS().toByteArray();
    byte[] secretTail = Arrays.copyOfRange(secretNumber, secretNumber.length - 24, secretNumber.length);
    assertThat(matches(key.publicKey(), priv, alg)).as("decrypted key is the key pair's private half").isTrue();

    try (var files = Files.walk(store.root())) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] data = Files.readAllBytes(f);
        String text = new String(data, StandardCharsets.ISO_8859_1);
        assertThat(contains(data, pkcs8)).as("PKCS#8 in %s", f).isFalse();
        assertThat(contains(data, secretTail)).as("private value in %s", f).isFalse();
        assertThat(text).doesNotContain(Base64.getEncoder().encodeToString(pkcs8).substring(24, 80))
            .doesNotContain(HexFormat.of().formatHex(secretTail))
            .doesNotContain(Base64.getEncoder().encodeToString(secretTail));
      }
    }
  }

  private static boolean matches(PublicKey pub, PrivateKey priv, KeyAlgorithm alg) throws Exception {
    Signature s = Signature.getInstance(alg.jcaSignatureAlgorithm());
    s.initSign(priv);
    s.update(MESSAGE);
    byte[] sig = s.sign();
    Signature v = Signature.getInstance(alg.jcaSignatureAlgorithm());
    v.initVerify(pub);
    v.update(MESSAGE);
    return v.verify(sig);
  }

  @Test
  void toStringsShowNoKeyBytes() throws Exception {
    // long enough not to turn up by chance in the random digits of the temp folder's name
    KeyContainer key = provider.create("alice", KeyAlgorithm.RSA_2048, pin("97531864"));
    SoftwareKeyBlob blob = (SoftwareKeyBlob) key.protectedKey();
    KeyContainer tpm = TestKeys.tpmContainer("bob");
    TpmKeyBlobs tpmBlobs = (TpmKeyBlobs) tpm.protectedKey();

    String counterSecret = new String(blob.initialState().get(AttemptCounter.SECRET_FILE), StandardCharsets.UTF_8)
        .lines().filter(l -> l.startsWith("secret=")).findFirst().orElseThrow().substring(7);
    for (String s : new String[] {key.toString(), blob.toString(), provider.toString(), store.toString()}) {
      assertThat(s).doesNotContain("97531864").doesNotContain(counterSecret.substring(0, 12));
      for (byte[] secret : new byte[][] {blob.ciphertext(), blob.salt(), blob.nonce()}) {
        assertThat(s).doesNotContain(Base64.getEncoder().encodeToString(secret).substring(0, 12))
            .doesNotContainIgnoringCase(HexFormat.of().formatHex(secret).substring(0, 12));
      }
    }
    for (String s : new String[] {tpm.toString(), tpmBlobs.toString()}) {
      for (byte[] secret : new byte[][] {tpmBlobs.privateArea(), tpmBlobs.authSalt(), tpmBlobs.publicArea()}) {
        assertThat(s).doesNotContain(Base64.getEncoder().encodeToString(secret).substring(0, 12))
            .doesNotContainIgnoringCase(HexFormat.of().formatHex(secret).substring(0, 12));
      }
    }
    assertThat(key.toString()).contains("alice", key.keyIdHex(), "rsa2048");
  }

  // ---- bad input -------------------------------------------------------------------------------

  @Test
  void digestThatIsNot32BytesIsInvalidArgumentAndNotCounted() throws Exception {
    store.save(provider.create("alice", KeyAlgorithm.ECC_P256, pin("1234")));
    KeyContainer key = store.load("alice");

    failure(CoreErrorCode.INVALID_ARGUMENT, () -> provider.signDigest(key, new byte[31], pin("0000")));
    failure(CoreErrorCode.INVALID_ARGUMENT, () -> provider.signDigest(key, MESSAGE, pin("0000")));
    failure(CoreErrorCode.INVALID_ARGUMENT, () -> provider.signDigest(key, null, pin("0000")));

    WrongPinException e = (WrongPinException) failure(CoreErrorCode.WRONG_PIN,
        () -> provider.signDigest(key, sha256(MESSAGE), pin("0000")));
    assertThat(e.triesLeft()).hasValue(4);
  }

  @Test
  void tpmKeysAreRefused() throws Exception {
    KeyContainer tpm = TestKeys.tpmContainer("alice");
    store.save(tpm);

    KeytrustException e = failure(CoreErrorCode.KEY_PROVIDER_MISMATCH, () -> provider.signDigest(tpm, new byte[32], pin("1")));

    assertThat(e.getMessage()).contains("tpm provider");
  }

  @Test
  void invalidUserOnCreateIsRefused() {
    failure(CoreErrorCode.INVALID_ARGUMENT, () -> provider.create("", KeyAlgorithm.ECC_P256, pin("1234")));
  }

  @Test
  void aKeyMustBeTheOneSavedInTheStore() throws Exception {
    KeyContainer unsaved = provider.create("alice", KeyAlgorithm.ECC_P256, pin("1234"));
    KeytrustException e =
        failure(CoreErrorCode.KEY_NOT_FOUND, () -> provider.signDigest(unsaved, sha256(MESSAGE), pin("1234")));
    assertThat(e.getMessage()).contains("save it");

    store.save(unsaved);
    store.delete("alice");
    store.save(provider.create("alice", KeyAlgorithm.ECC_P256, pin("1234")));

    failure(CoreErrorCode.KEY_NOT_FOUND, () -> provider.signDigest(unsaved, sha256(MESSAGE), pin("1234")));
  }

  @Test
  void ciphertextIsBoundToItsUser() throws Exception {
    KeyContainer alice = provider.create("alice", KeyAlgorithm.ECC_P256, pin("1234"));
    SoftwareKeyBlob blob = (SoftwareKeyBlob) alice.protectedKey();
    // a valid attempt counter for bob, so that only the ciphertext's binding can fail
    AttemptCounter.Initial bobsCounter = AttemptCounter.initial("bob", alice.keyId(), new java.security.SecureRandom());
    KeyContainer asBob = new KeyContainer("bob", alice.provider(), alice.algorithm(), alice.keyId(),
        alice.publicKeyDer(), alice.createdAt(), new SoftwareKeyBlob(blob.kdf(), blob.salt(), blob.nonce(),
            blob.ciphertext(), bobsCounter.counterId(), bobsCounter.files()));
    store.save(asBob);

    failure(CoreErrorCode.WRONG_PIN, () -> provider.signDigest(asBob, sha256(MESSAGE), pin("1234")));
  }
}
