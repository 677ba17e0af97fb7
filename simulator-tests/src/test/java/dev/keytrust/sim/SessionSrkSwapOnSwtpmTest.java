package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.lab.Tpm2Tools;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.session.ObjectBlobs;
import dev.keytrust.tpm.session.ParentKey;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An SRK swapped behind keytrust's back (someone persisted another key at the SRK handle, as
 * tpm2-tools does here) never receives a session salt: the session layer reads the key at the
 * handle, and only TPM2_ReadPublic crosses the wire before it refuses.
 */
class SessionSrkSwapOnSwtpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();
  @TempDir Path work;

  static String hex(int handle) {
    return String.format("0x%08x", handle);
  }

  static void refusedBeforeSalting(ThrowingCallable call, String why) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_SRK_MISMATCH))
        .hasMessageContaining(why)
        .hasMessageContaining("No session was salted to it");
  }

  /** Only TPM2_ReadPublic of the handle went out: no TPM2_StartAuthSession, so no salt, to anything. */
  static void onlyReadPublic(List<RecordingTransport.Exchange> seen) {
    assertThat(SessionWire.codes(seen)).isNotEmpty().containsOnly(SessionWire.TPM_CC_READ_PUBLIC);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void anotherStorageKeyAtTheSrkHandleGetsNoSalt(KeyAlgorithm alg) throws Exception {
    ParentKey srk;
    ObjectBlobs key;
    ObjectBlobs sealed;
    try (SessionConnection tpm = SessionConnection.open(SWTPM);
        SecretBuffer auth = SecretBuffer.copyOf(new byte[] {1, 2, 3});
        SecretBuffer data = SecretBuffer.copyOf(new byte[] {4})) {
      srk = tpm.srk(alg);
      key = tpm.ops.createSigningKey(srk, alg.tpmKeyType(), auth);
      sealed = tpm.ops.createSealedObject(srk, auth, data);
    }
    // a different key of the same shape (restricted AES-128-CFB decryption key; here without noDA,
    // so another template, another key, another Name) persisted where keytrust's SRK was
    Tpm2Tools tools = SWTPM.tools();
    Path ctx = work.resolve("swapped.ctx");
    tools.run("tpm2_evictcontrol", "-C", "o", "-c", hex(srk.handle()));
    tools.run("tpm2_createprimary", "-C", "o", "-g", "sha256",
        "-G", alg == KeyAlgorithm.RSA_2048 ? "rsa2048:null:aes128cfb" : "ecc256:null:aes128cfb",
        "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|decrypt", "-c", ctx.toString());
    tools.run("tpm2_evictcontrol", "-C", "o", "-c", ctx.toString(), hex(srk.handle()));
    tools.flushTransient();
    byte[] swappedName = HexFormat.of().parseHex(tools.readPublic(hex(srk.handle())).name());
    assertThat(swappedName).isNotEqualTo(srk.name());

    try (SessionConnection tpm = SessionConnection.open(SWTPM);
        SecretBuffer auth = SecretBuffer.copyOf(new byte[] {1, 2, 3});
        SecretBuffer data = SecretBuffer.copyOf(new byte[] {4})) {
      tpm.wire.start();
      refusedBeforeSalting(() -> tpm.ops.sign(srk, key, auth, new byte[32]), "its Name differs");
      refusedBeforeSalting(() -> tpm.ops.unseal(srk, sealed, auth), "its Name differs");
      refusedBeforeSalting(() -> tpm.ops.createSigningKey(srk, alg.tpmKeyType(), auth), "its Name differs");
      refusedBeforeSalting(() -> tpm.ops.createSealedObject(srk, auth, data), "its Name differs");
      refusedBeforeSalting(() -> tpm.ops.changeAuth(srk, key, auth, auth), "its Name differs");
      onlyReadPublic(tpm.wire.stop());

      // the Name check is what stopped it: taken at its own Name, the swapped key passes the shape check
      ParentKey swapped = new ParentKey(srk.handle(), swappedName);
      tpm.wire.start();
      assertThat(tpm.ops.createSealedObject(swapped, auth, data).publicArea()).isNotEmpty();
      assertThat(SessionWire.codes(tpm.wire.stop())).contains(SessionWire.TPM_CC_START_AUTH_SESSION);
      SessionWire.assertNothingLoaded(tpm.channel);
    } finally {
      tools.run("tpm2_evictcontrol", "-C", "o", "-c", hex(srk.handle()));
    }
    // keytrust's SRK comes back from its template: the same Name, and the old key works again
    try (SessionConnection tpm = SessionConnection.open(SWTPM);
        SecretBuffer auth = SecretBuffer.copyOf(new byte[] {1, 2, 3})) {
      assertThat(tpm.srk(alg)).isEqualTo(srk);
      assertThat(tpm.ops.sign(srk, key, auth, new byte[32])).isNotEmpty();
    }
  }

  @Test
  void aKeyThatIsNotAStorageKeyIsRefusedEvenUnderItsOwnName() throws Exception {
    Tpm2Tools tools = SWTPM.tools();
    Path ctx = work.resolve("signer.ctx");
    tools.tryRun("tpm2_evictcontrol", "-C", "o", "-c", "0x81000002");
    tools.run("tpm2_createprimary", "-C", "o", "-G", "ecc256:ecdsa-sha256",
        "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign", "-c", ctx.toString());
    tools.run("tpm2_evictcontrol", "-C", "o", "-c", ctx.toString(), "0x81000002");
    tools.flushTransient();
    ParentKey signer = new ParentKey(0x81000002, HexFormat.of().parseHex(tools.readPublic("0x81000002").name()));
    try (SessionConnection tpm = SessionConnection.open(SWTPM);
        SecretBuffer auth = SecretBuffer.copyOf(new byte[] {1})) {
      tpm.wire.start();
      refusedBeforeSalting(() -> tpm.ops.createSigningKey(signer, KeyAlgorithm.ECC_P256.tpmKeyType(), auth),
          "is not a storage root key");
      onlyReadPublic(tpm.wire.stop());
    } finally {
      tools.run("tpm2_evictcontrol", "-C", "o", "-c", "0x81000002");
    }
  }

  @Test
  void anEmptySrkHandleIsAMismatch() throws Exception {
    ParentKey srk;
    ObjectBlobs key;
    try (SessionConnection tpm = SessionConnection.open(SWTPM);
        SecretBuffer auth = SecretBuffer.copyOf(new byte[] {9})) {
      srk = tpm.srk(KeyAlgorithm.ECC_P256);
      key = tpm.ops.createSigningKey(srk, KeyAlgorithm.ECC_P256.tpmKeyType(), auth);
    }
    SWTPM.tools().run("tpm2_evictcontrol", "-C", "o", "-c", hex(srk.handle()));
    try (SessionConnection tpm = SessionConnection.open(SWTPM);
        SecretBuffer auth = SecretBuffer.copyOf(new byte[] {9})) {
      tpm.wire.start();
      refusedBeforeSalting(() -> tpm.ops.sign(srk, key, auth, new byte[32]), "no key is persisted there");
      onlyReadPublic(tpm.wire.stop());
    }
  }
}
