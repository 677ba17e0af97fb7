package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.PinAuth;
import dev.keytrust.key.TpmKeyBlobs;
import dev.keytrust.lab.Openssl;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.lab.Tpm2Tools;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.TpmObjects;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys made by keytrust are ordinary TPM objects: tpm2-tools loads the exported blobs under the
 * SRK keytrust persisted, signs with the PIN-derived auth value, and openssl verifies the
 * signature against the public key keytrust printed.
 */
class Tpm2ToolsInteropTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  @TempDir Path store;
  @TempDir Path work;

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void keyCreatedHereIsLoadedAndUsedByTpm2ToolsAndVerifiedByOpenssl(KeyAlgorithm alg) throws Exception {
    Pin pin = TestPins.pin("4711");
    KeyContainer key;
    Path blobs = work.resolve(alg.id());
    try (HelloKeys keys = HelloKeys.open(TpmUri.parse(SWTPM.swtpm().tpmUri()), store)) {
      key = keys.create("ivan-" + alg.id(), alg, pin);
      keys.exportTpmBlobs("ivan-" + alg.id(), blobs);
    } // swtpm serves one client: close before tpm2-tools connects

    TpmKeyBlobs tpm = (TpmKeyBlobs) key.protectedKey();
    Tpm2Tools tools = SWTPM.tools();
    String parent = "0x" + Integer.toHexString(tpm.parentHandle());
    // the SRK tpm2-tools sees is the one keytrust recorded
    assertThat(tools.readPublic(parent).name()).isEqualToIgnoringCase(HexFormat.of().formatHex(tpm.parentName()));
    Path ctx = work.resolve(alg.id() + ".ctx");
    String name = tools.load(parent, blobs.resolve("key.pub"), blobs.resolve("key.priv"), ctx);
    assertThat(name).isEqualToIgnoringCase(HexFormat.of().formatHex(TpmObjects.name(tpm.publicArea())));

    Path message = Files.write(work.resolve(alg.id() + ".msg"), "signed by tpm2-tools".getBytes(StandardCharsets.UTF_8));
    Path sig = work.resolve(alg.id() + ".sig");
    byte[] auth;
    try (SecretBuffer derived = PinAuth.derive(pin, tpm.authSalt())) {
      auth = derived.copy(InsecureSecretAccess.get());
    }
    try {
      tools.sign(ctx, auth, message, sig,
          alg == KeyAlgorithm.RSA_2048 ? Tpm2Tools.SignScheme.RSASSA : Tpm2Tools.SignScheme.ECDSA);
    } finally {
      Arrays.fill(auth, (byte) 0);
      tools.flushTransient();
    }
    Path pem = Files.writeString(work.resolve(alg.id() + ".pem"), key.publicKeyPem());
    assertThat(Openssl.verify(pem, message, sig)).isTrue();
    assertThat(TpmKeysOnSwtpmTest.verifies(key, Files.readAllBytes(message), Files.readAllBytes(sig))).isTrue();
    Path other = Files.write(work.resolve(alg.id() + ".other"), "something else".getBytes(StandardCharsets.UTF_8));
    assertThat(Openssl.verify(pem, other, sig)).isFalse();
  }

  @Test
  void aForeignObjectAtTheSrkHandleIsNeitherUsedNorEvicted() throws Exception {
    Tpm2Tools tools = SWTPM.tools();
    // persist an ECC signing key (not an SRK) where keytrust keeps its ECC SRK
    tools.run("tpm2_createprimary", "-C", "o", "-G", "ecc256:ecdsa-sha256",
        "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign", "-c", work.resolve("p.ctx").toString());
    tools.tryRun("tpm2_evictcontrol", "-C", "o", "-c", "0x81000002");
    tools.run("tpm2_evictcontrol", "-C", "o", "-c", work.resolve("p.ctx").toString(), "0x81000002");
    tools.flushTransient();
    String before = tools.readPublic("0x81000002").name();
    try (HelloKeys keys = HelloKeys.open(TpmUri.parse(SWTPM.swtpm().tpmUri()), store)) {
      assertThatThrownBy(() -> keys.create("judy", KeyAlgorithm.ECC_P256, TestPins.pin("1234")))
          .isInstanceOfSatisfying(KeytrustException.class,
              e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_SRK_MISMATCH))
          .hasMessageContaining("0x81000002")
          .hasMessageContaining("tpm2_evictcontrol");
      assertThat(keys.find("judy")).isEmpty();
    }
    assertThat(tools.readPublic("0x81000002").name()).isEqualTo(before);
    tools.run("tpm2_evictcontrol", "-C", "o", "-c", "0x81000002");
  }
}
