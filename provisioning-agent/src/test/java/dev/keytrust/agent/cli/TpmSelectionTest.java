package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.ErrorCode;
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
        .isEqualTo("device:/dev/tpmrm0");
  }

  @Test
  void platformDefaultIsTheResourceManagerOnLinuxAndTbsOnWindows() throws Exception {
    assertThat(TpmSelection.resolve(null, env(Map.of(), "Linux")).toString()).isEqualTo("device:/dev/tpmrm0");
    assertThat(TpmSelection.resolve(null, env(Map.of(), "Windows 11")).scheme()).isEqualTo(TpmUri.TBS);
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
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TPM_URI));
  }
}
