package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import java.io.ByteArrayInputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TpmSelectionTest {

  private static CliEnvironment env(Map<String, String> vars, String os) {
    return new CliEnvironment(new ByteArrayInputStream(new byte[0]), vars, os, null);
  }

  @Test
  void optionWinsOverVariableAndPlatform() throws Exception {
    TpmUri uri = TpmSelection.resolve("mssim://127.0.0.1:2321", env(Map.of(TpmUri.ENV, "software"), "Linux"));
    assertThat(uri.toString()).isEqualTo("mssim://127.0.0.1:2321");
  }

  @Test
  void variableWinsOverPlatform() throws Exception {
    assertThat(TpmSelection.resolve(null, env(Map.of(TpmUri.ENV, "unix:/tmp/s.sock"), "Linux")).toString())
        .isEqualTo("unix:/tmp/s.sock");
  }

  @Test
  void blankVariableIsIgnored() throws Exception {
    assertThat(TpmSelection.resolve(null, env(Map.of(TpmUri.ENV, " "), "Linux")).toString())
        .isEqualTo("auto");
  }

  @Test
  void platformDefaultIsAutoOnLinuxAndTbsOnWindows() throws Exception {
    assertThat(TpmSelection.resolve(null, env(Map.of(), "Linux")).isAuto()).isTrue();
    assertThat(TpmSelection.resolve(null, env(Map.of(), "Windows 11")).scheme()).isEqualTo(TpmUri.TBS);
  }

  @Test
  void autoCanBeNamedLikeAnyTpm() throws Exception {
    assertThat(TpmSelection.resolve("auto", env(Map.of(TpmUri.ENV, "software"), "Linux")).isAuto()).isTrue();
    assertThat(TpmSelection.resolve(null, env(Map.of(TpmUri.ENV, "auto"), "Windows 11")).isAuto()).isTrue();
    // naming the raw device is still possible: auto never picks it, the user may
    assertThat(TpmSelection.resolve("device:/dev/tpm0", env(Map.of(), "Linux")).path()).isEqualTo("/dev/tpm0");
  }

  @Test
  void neverFallsBackToSoftwareOnOtherPlatforms() {
    assertThatThrownBy(() -> TpmSelection.resolve(null, env(Map.of(), "Mac OS X")))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code().badInput()).isTrue())
        .hasMessageContaining("--tpm")
        .hasMessageContaining(TpmUri.ENV);
  }

  @Test
  void badUrisAreBadInput() {
    assertThatThrownBy(() -> TpmSelection.resolve("http://x", env(Map.of(), "Linux")))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.UNKNOWN_TPM_URI));
  }

  private static TpmUri forKey(String option, Map<String, String> vars, dev.keytrust.key.ProviderKind provider)
      throws Exception {
    dev.keytrust.key.KeyContainer key = provider == dev.keytrust.key.ProviderKind.SOFTWARE
        ? softwareKey() : tpmKey();
    TpmOption o = new TpmOption();
    o.tpm = option;
    return o.resolveFor(key, env(vars, "Linux"));
  }

  private static dev.keytrust.key.KeyContainer softwareKey() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    java.security.PublicKey pub = g.generateKeyPair().getPublic();
    return new dev.keytrust.key.KeyContainer("u", dev.keytrust.key.ProviderKind.SOFTWARE,
        dev.keytrust.key.KeyAlgorithm.ECC_P256, dev.keytrust.credential.BcryptKeyBlob.keyId(pub), pub.getEncoded(),
        java.time.Instant.EPOCH, new dev.keytrust.key.SoftwareKeyBlob(
            dev.keytrust.key.Argon2Parameters.DEFAULT, new byte[16], new byte[12], new byte[48], new byte[32]));
  }

  private static dev.keytrust.key.KeyContainer tpmKey() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    java.security.PublicKey pub = g.generateKeyPair().getPublic();
    return new dev.keytrust.key.KeyContainer("u", dev.keytrust.key.ProviderKind.TPM,
        dev.keytrust.key.KeyAlgorithm.ECC_P256, dev.keytrust.credential.BcryptKeyBlob.keyId(pub), pub.getEncoded(),
        java.time.Instant.EPOCH, new dev.keytrust.key.TpmKeyBlobs(0x81000002, new byte[34], new byte[88],
            new byte[128], new byte[16]));
  }

  @Test
  void anExistingKeysProviderIsUsedOnlyForSoftwareKeysAndOnlyWhenNothingIsNamed() throws Exception {
    dev.keytrust.key.ProviderKind sw = dev.keytrust.key.ProviderKind.SOFTWARE;
    dev.keytrust.key.ProviderKind tpm = dev.keytrust.key.ProviderKind.TPM;
    assertThat(forKey(null, Map.of(), sw).isSoftware()).isTrue();
    assertThat(forKey(null, Map.of(TpmUri.ENV, " "), sw).isSoftware()).isTrue();
    // a TPM key never goes to software by itself: the platform TPM, or what is named
    assertThat(forKey(null, Map.of(), tpm).toString()).isEqualTo("auto");
    assertThat(forKey(null, Map.of(TpmUri.ENV, ""), tpm).toString()).isEqualTo("auto");
    assertThat(forKey(null, Map.of(TpmUri.ENV, "mssim://127.0.0.1:2321"), tpm).toString())
        .isEqualTo("mssim://127.0.0.1:2321");
    // what is named wins, for either kind of key
    assertThat(forKey("unix:/tmp/t.sock", Map.of(), sw).toString()).isEqualTo("unix:/tmp/t.sock");
    assertThat(forKey(null, Map.of(TpmUri.ENV, "mssim://127.0.0.1:2321"), sw).toString())
        .isEqualTo("mssim://127.0.0.1:2321");
  }
}
