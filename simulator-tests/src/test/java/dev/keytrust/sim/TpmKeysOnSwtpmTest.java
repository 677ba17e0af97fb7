package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.WrongPinException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.PinAuth;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.key.TpmKeyBlobs;
import dev.keytrust.lab.DictionaryAttackAdmin;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmObjects;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TPM-bound user keys through TSS.Java against a real swtpm over the MS-simulator TCP protocol. */
class TpmKeysOnSwtpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  @TempDir Path store;
  TpmSession session; // swtpm serves one client at a time: everything here shares this connection
  HelloKeys keys;

  @BeforeEach
  void open() throws Exception {
    session = TpmSession.open(TpmUri.parse(SWTPM.swtpm().tpmUri()));
    // known anti-hammering settings for the tries-left assertions: 5 tries, slow recovery
    DictionaryAttackAdmin.resetLockout(session);
    DictionaryAttackAdmin.setParameters(session, 5, Duration.ofSeconds(1000), Duration.ofSeconds(1000));
    keys = HelloKeys.of(new KeyContainerStore(store), new TpmKeyProvider(session), session.describe());
  }

  @AfterEach
  void close() {
    keys.close();
    session.close();
  }

  static boolean verifies(KeyContainer key, byte[] message, byte[] signature) throws Exception {
    Signature v = Signature.getInstance(key.algorithm().jcaSignatureAlgorithm());
    v.initVerify(key.publicKey());
    v.update(message);
    return v.verify(signature);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void createLoadSignAndVerifyWithJca(KeyAlgorithm alg) throws Exception {
    KeyContainer key = keys.create("alice", alg, TestPins.pin("1234"));
    assertThat(key.provider()).isEqualTo(ProviderKind.TPM);
    assertThat(key.keyId()).isEqualTo(BcryptKeyBlob.keyId(key.publicKey()));
    TpmKeyBlobs blobs = (TpmKeyBlobs) key.protectedKey();
    assertThat(blobs.parentHandle())
        .isEqualTo(alg == KeyAlgorithm.RSA_2048 ? TpmSession.SRK_RSA_HANDLE : TpmSession.SRK_ECC_HANDLE);
    // the TPM's public area names the key in the container
    assertThat(TpmObjects.publicKey(blobs.publicArea()).getEncoded()).isEqualTo(key.publicKeyDer());

    byte[] message = "sign-in challenge".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 3; i++) {
      byte[] sig = keys.sign("alice", message, TestPins.pin("1234"));
      assertThat(verifies(key, message, sig)).isTrue();
      assertThat(verifies(key, "another challenge".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
    }
    keys.delete("alice");
  }

  @Test
  void keyAttributesAreFixedTpmFixedParentSensitiveDataOriginUserWithAuthSignWithoutNoDa() throws Exception {
    KeyContainer key = keys.create("attrs", KeyAlgorithm.ECC_P256, TestPins.pin("1234"));
    byte[] pub = ((TpmKeyBlobs) key.protectedKey()).publicArea();
    // TPMT_PUBLIC: type(2) nameAlg(2) objectAttributes(4)
    int attrs = ((pub[4] & 0xFF) << 24) | ((pub[5] & 0xFF) << 16) | ((pub[6] & 0xFF) << 8) | (pub[7] & 0xFF);
    assertThat(attrs).isEqualTo(0x2 | 0x10 | 0x20 | 0x40 | 0x40000); // fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign
    assertThat(attrs & 0x400).as("noDA").isZero();
    keys.delete("attrs");
  }

  @Test
  void wrongPinCountsDownTheTpmsTriesAndNeverReachesStdout() throws Exception {
    KeyContainer key = keys.create("bob", KeyAlgorithm.ECC_P256, TestPins.pin("1234"));
    byte[] message = {1, 2, 3};
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (int expectedLeft = 4; expectedLeft >= 2; expectedLeft--) {
        int left = expectedLeft;
        assertThatThrownBy(() -> keys.sign("bob", message, TestPins.pin("9999")))
            .isInstanceOfSatisfying(WrongPinException.class, e -> {
              assertThat(e.code()).isEqualTo(CoreErrorCode.WRONG_PIN);
              assertThat(e.triesLeft()).hasValue(left);
            })
            .hasMessageContaining(left + " of 5 tries left")
            .hasMessageNotContaining("9999");
      }
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty(); // TSS.Java prints "TPM ERROR" unless stopped
    assertThat(verifies(key, message, keys.sign("bob", message, TestPins.pin("1234")))).isTrue();
    keys.delete("bob");
  }

  @Test
  void storageRootKeyIsCreatedOnceThenReused() throws Exception {
    TpmSession s = session;
    {
      TpmSession.StorageRootKey first = s.storageRootKey(TpmKeyType.RSA_2048);
      TpmSession.StorageRootKey again = s.storageRootKey(TpmKeyType.RSA_2048);
      assertThat(again.createdNow()).isFalse();
      assertThat(again.name()).isEqualTo(first.name());
      assertThat(s.info().srks()).anySatisfy(srk -> {
        assertThat(srk.handle()).isEqualTo(TpmSession.SRK_RSA_HANDLE);
        assertThat(srk.persistent()).isTrue();
        assertThat(srk.matchesTemplate()).isTrue();
      });
    }
  }

  @Test
  void oneSessionServesConcurrentCallersSafely() throws Exception {
    KeyContainer key = keys.create("carol", KeyAlgorithm.ECC_P256, TestPins.pin("2468"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        byte[] message = ("message " + i).getBytes(StandardCharsets.UTF_8);
        results.add(pool.submit(() -> verifies(key, message, keys.sign("carol", message, TestPins.pin("2468")))));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    keys.delete("carol");
  }

  @Test
  void aKeyFromAnotherStoreOrTpmStateIsRefusedClearly() throws Exception {
    KeyContainer key = keys.create("dave", KeyAlgorithm.ECC_P256, TestPins.pin("1234"));
    TpmKeyBlobs blobs = (TpmKeyBlobs) key.protectedKey();
    byte[] wrongParentName = blobs.parentName();
    wrongParentName[5] ^= 1;
    TpmKeyBlobs foreign = new TpmKeyBlobs(blobs.parentHandle(), wrongParentName, blobs.publicArea(),
        blobs.privateArea(), blobs.authSalt());
    TpmSession s = session;
    {
      assertThatThrownBy(() -> s.signDigest(foreign.loadable(), SecretBuffer.allocate(32), new byte[32]))
          .isInstanceOfSatisfying(KeytrustException.class,
              e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_SRK_MISMATCH))
          .hasMessageContaining("delete the key and provision again");
      // a private blob that was not wrapped by this SRK fails the TPM's integrity check
      byte[] priv = blobs.privateArea();
      priv[priv.length - 1] ^= 1;
      TpmKeyBlobs damaged = new TpmKeyBlobs(blobs.parentHandle(), blobs.parentName(), blobs.publicArea(), priv,
          blobs.authSalt());
      assertThatThrownBy(() -> s.signDigest(damaged.loadable(), SecretBuffer.allocate(32), new byte[32]))
          .isInstanceOfSatisfying(KeytrustException.class,
              e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_KEY_NOT_LOADABLE));
    }
    keys.delete("dave");
  }

  @Test
  void createdKeyFilesNeverHoldThePinOrAuthValue() throws Exception {
    Pin pin = TestPins.pin("pin-735194-x");
    KeyContainer key = keys.create("erin", KeyAlgorithm.RSA_2048, pin);
    byte[] auth;
    try (SecretBuffer derived = PinAuth.derive(pin, ((TpmKeyBlobs) key.protectedKey()).authSalt())) {
      auth = derived.copy(InsecureSecretAccess.get());
    }
    List<byte[]> secrets = List.of("pin-735194-x".getBytes(StandardCharsets.UTF_8), auth,
        HexFormat.of().formatHex(auth).getBytes(StandardCharsets.US_ASCII),
        HexFormat.of().withUpperCase().formatHex(auth).getBytes(StandardCharsets.US_ASCII),
        Base64.getEncoder().encode(auth), Base64.getUrlEncoder().withoutPadding().encode(auth));
    try (var files = Files.walk(store)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(f);
        for (byte[] secret : secrets) {
          assertThat(indexOf(content, secret)).as(f + " holds a secret").isEqualTo(-1);
        }
      }
    }
    keys.delete("erin");
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

}
