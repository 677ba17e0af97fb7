package dev.keytrust.key;

import static dev.keytrust.key.TestKeys.failure;
import static dev.keytrust.secret.TestPins.pin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.error.CoreErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application entry point over the software provider and a real store (TPM paths: simulator-tests). */
class HelloKeysTest {
  static final Argon2Parameters LIGHT = new Argon2Parameters(256, 1, 1);

  @TempDir Path root;
  @TempDir Path exported;

  HelloKeys software() {
    KeyContainerStore store = new KeyContainerStore(root);
    return HelloKeys.of(store,
        new SoftwareKeyProvider(store, LIGHT, Clock.systemUTC(), SoftwareLockoutPolicy.DEFAULT), "software");
  }

  @Test
  void createSignVerifyAndDelete() throws Exception {
    try (HelloKeys keys = software()) {
      KeyContainer key = keys.create("alice", KeyAlgorithm.ECC_P256, pin("1234"));
      assertThat(keys.show("alice").keyIdHex()).isEqualTo(key.keyIdHex());
      byte[] message = "m".getBytes(StandardCharsets.UTF_8);
      byte[] sig = keys.sign("alice", message, pin("1234"));
      Signature v = Signature.getInstance("SHA256withECDSA");
      v.initVerify(key.publicKey());
      v.update(message);
      assertThat(v.verify(sig)).isTrue();
      keys.delete("alice");
      assertThat(keys.find("alice")).isEmpty();
      assertThat(failure(CoreErrorCode.KEY_NOT_FOUND, () -> keys.sign("alice", message, pin("1234"))))
          .hasMessageContaining("alice");
    }
  }

  @Test
  void aSecretSealedWithThePinOpensOnlyWithThatPinAndOnlyForThatKey() throws Exception {
    byte[] secret = TestKeys.bytes(32, 9);
    try (HelloKeys keys = software()) {
      keys.create("alice", KeyAlgorithm.ECC_P256, pin("1234"));
      SealedSecret sealed;
      try (dev.keytrust.secret.SecretBuffer s = dev.keytrust.secret.SecretBuffer.moveFrom(secret.clone())) {
        sealed = keys.seal("alice", s, pin("1234"));
      }
      SealedSecret read = SealedSecret.decode(sealed.encode());
      assertThat(read).isEqualTo(sealed);
      assertThat(sealed.encode()).doesNotContain("1234");
      try (dev.keytrust.secret.SecretBuffer out = keys.unseal("alice", read, pin("1234"))) {
        assertThat(out.copy(dev.keytrust.secret.InsecureSecretAccess.get())).isEqualTo(secret);
      }
      // a wrong PIN counts against the key's attempt counter like a wrong PIN when signing
      assertThat(failure(CoreErrorCode.WRONG_PIN, () -> keys.unseal("alice", read, pin("9999"))))
          .hasMessageContaining("tries left");
      // a new key (a new PIN) cannot open the old secret, and no PIN is tried
      keys.delete("alice");
      keys.create("alice", KeyAlgorithm.ECC_P256, pin("1234"));
      assertThat(failure(CoreErrorCode.SEALED_SECRET_STALE, () -> keys.unseal("alice", read, pin("1234"))))
          .hasMessageContaining("no PIN try was spent");
      assertThat(failure(CoreErrorCode.STORE_CORRUPT, () -> SealedSecret.decode("keytrust-sealed-secret-v1:tpm:00:AA")))
          .hasMessageContaining("damaged");
    }
  }

  @Test
  void deleteRemovesAKeyWhoseFileIsDamagedTogetherWithItsCounter() throws Exception {
    try (HelloKeys keys = software()) {
      keys.create("alice", KeyAlgorithm.ECC_P256, pin("1234"));
      Path dir = keys.store().userDirectory("alice");
      assertThat(dir.resolve(AttemptCounter.COUNTER_FILE)).exists();
      Files.writeString(dir.resolve(KeyContainerStore.KEY_FILE), "garbage");

      keys.delete("alice");

      assertThat(dir).doesNotExist();
      assertThat(keys.find("alice")).isEmpty();
      failure(CoreErrorCode.KEY_NOT_FOUND, () -> keys.delete("alice"));
      keys.create("alice", KeyAlgorithm.ECC_P256, pin("5678"));
      keys.sign("alice", new byte[1], pin("5678"));
    }
  }

  @Test
  void aSecondKeyForTheSameUserIsRefusedAndTheFirstIsKept() throws Exception {
    try (HelloKeys keys = software()) {
      KeyContainer first = keys.create("bob", KeyAlgorithm.ECC_P256, pin("1234"));
      assertThat(failure(CoreErrorCode.KEY_EXISTS, () -> keys.create("bob", KeyAlgorithm.RSA_2048, pin("5678"))))
          .hasMessageContaining("delete it first");
      assertThat(keys.show("bob").keyIdHex()).isEqualTo(first.keyIdHex());
      keys.sign("bob", new byte[1], pin("1234")); // the first key's counter was not replaced
    }
  }

  @Test
  void aTpmKeyIsNotUsedThroughTheSoftwareProvider() throws Exception {
    KeyContainerStore store = new KeyContainerStore(root);
    store.save(TestKeys.tpmContainer("dave"));
    try (HelloKeys keys = software()) {
      assertThat(failure(CoreErrorCode.KEY_PROVIDER_MISMATCH, () -> keys.sign("dave", new byte[1], pin("1234"))))
          .hasMessageContaining("tpm key")
          .hasMessageContaining("the URI of the TPM that holds it");
    }
  }

  @Test
  void exportWritesTpm2ToolsFilesOwnerOnlyAndRefusesSoftwareKeys() throws Exception {
    KeyContainerStore store = new KeyContainerStore(root);
    KeyContainer tpmKey = TestKeys.tpmContainer("erin");
    store.save(tpmKey);
    Path out = exported.resolve("blobs");
    // a file in the user's folder that looks like a stale store temp file is not the store's to remove
    Files.createDirectories(out);
    Path theirs = Files.write(out.resolve(".notes.0123456789abcdef.tmp"), new byte[] {1});
    Files.setLastModifiedTime(theirs, java.nio.file.attribute.FileTime.fromMillis(0));
    store.exportTpmBlobs("erin", out);
    assertThat(theirs).exists();
    TpmKeyBlobs blobs = (TpmKeyBlobs) tpmKey.protectedKey();
    byte[] pub = Files.readAllBytes(out.resolve("key.pub"));
    assertThat(((pub[0] & 0xFF) << 8) | (pub[1] & 0xFF)).isEqualTo(blobs.publicArea().length);
    assertThat(java.util.Arrays.copyOfRange(pub, 2, pub.length)).isEqualTo(blobs.publicArea());
    assertThat(Files.readAllBytes(out.resolve("key.priv"))).isEqualTo(blobs.privateArea());
    assertThat(Files.getPosixFilePermissions(out.resolve("key.priv")))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    try (HelloKeys keys = software()) {
      keys.create("frank", KeyAlgorithm.ECC_P256, pin("1234"));
      assertThat(failure(CoreErrorCode.INVALID_ARGUMENT, () -> keys.exportTpmBlobs("frank", out)))
          .hasMessageContaining("software key");
    }
  }
}
