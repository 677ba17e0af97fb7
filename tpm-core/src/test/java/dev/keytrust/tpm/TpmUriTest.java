package dev.keytrust.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TpmUriTest {
  @Test
  void parsesEveryForm() throws Exception {
    TpmUri m = TpmUri.parse("mssim://127.0.0.1:2321");
    assertThat(m.scheme()).isEqualTo("mssim");
    assertThat(m.host()).isEqualTo("127.0.0.1");
    assertThat(m.port()).isEqualTo(2321);
    assertThat(TpmUri.parse("mssim://[::1]:2321/").host()).isEqualTo("::1");
    assertThat(TpmUri.parse("unix:/run/swtpm/sock").path()).isEqualTo("/run/swtpm/sock");
    assertThat(TpmUri.parse("unix:///run/x").path()).isEqualTo("/run/x");
    assertThat(TpmUri.parse("device:/dev/tpmrm0").path()).isEqualTo("/dev/tpmrm0");
    assertThat(TpmUri.parse("tbs:").scheme()).isEqualTo("tbs");
    assertThat(TpmUri.parse("TBS").scheme()).isEqualTo("tbs");
    assertThat(TpmUri.parse(" software ").isSoftware()).isTrue();
    assertThat(TpmUri.parse("device:/dev/tpmrm0")).hasToString("device:/dev/tpmrm0");
  }

  @Test
  void autoIsResolvedPerPlatform(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) throws Exception {
    TpmUri auto = TpmUri.parse("auto");
    assertThat(auto.isAuto()).isTrue();
    assertThat(TpmUri.parse(" AUTO: ")).isEqualTo(auto).hasToString("auto");
    java.nio.file.Path dev = java.nio.file.Files.createDirectories(root.resolve("dev"));
    java.nio.file.Files.createFile(dev.resolve("tpmrm0"));
    TpmDiscovery linux = new TpmDiscovery(root.resolve("sys"), dev);

    assertThat(TpmTransports.resolve(auto, "Linux", linux)).hasToString("device:" + dev.resolve("tpmrm0"));
    assertThat(TpmTransports.resolve(auto, "Windows 11", linux)).isEqualTo(TpmUri.parse("tbs:"));
    assertThatThrownBy(() -> TpmTransports.resolve(auto, "Mac OS X", linux))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_PLATFORM_UNSUPPORTED))
        .hasMessageContaining("Linux and Windows only");
    // anything else is used as named
    TpmUri named = TpmUri.parse("device:/dev/tpm0");
    assertThat(TpmTransports.resolve(named, "Linux", linux)).isSameAs(named);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "tcp://127.0.0.1:1", "mssim://host", "mssim://host:", "mssim://:1",
      "mssim://h:0", "mssim://h:65536", "mssim://h:x", "unix:", "device:", "/dev/tpmrm0", "swtpm",
      // bad input, never a name lookup of junk (issue 16 item 7)
      "mssim://user:pw@127.0.0.1:24321", "mssim://[::1:24321", "mssim://::1:24321", "mssim://[zz::1]:2321",
      "mssim://host_name:2321", "mssim://-host:2321", "mssim://a..b:2321", "software\u0007", "mssim://h:2321\n",
      "device:/dev/tpm\u0000rm0", "mssim://h:+2321", "mssim://h:00002321x"})
  void rejectsWithTheAcceptedForms(String text) {
    assertThatThrownBy(() -> TpmUri.parse(text))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(CoreErrorCode.UNKNOWN_TPM_URI);
          assertThat(e.code().badInput()).isTrue();
        })
        .hasMessageContaining("mssim://HOST:PORT")
        .hasMessageContaining("auto or software");
  }

  @Test
  void anOverLongHostIsBadInputWithTheTextCutShort() throws Exception {
    String host = "a".repeat(10_000);
    assertThatThrownBy(() -> TpmUri.parse("mssim://" + host + ":2321"))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(CoreErrorCode.UNKNOWN_TPM_URI);
          assertThat(e.getMessage()).hasSizeLessThan(400);
        });
    assertThat(TpmUri.parse("mssim://" + "a".repeat(63) + ".lab:2321").host()).startsWith("aaa");
  }

  @Test
  void unreachableSimulatorSaysHowToStartIt() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    TpmUri uri = TpmUri.parse("mssim://127.0.0.1:" + port);
    assertThatThrownBy(() -> TpmSession.open(uri, java.time.Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE))
        .hasMessageContaining("swtpm socket");
  }

  @Test
  void missingUnixSocketAndMissingNativeTransportAreClear() {
    assertThatThrownBy(() -> TpmSession.open(TpmUri.parse("unix:/nonexistent/keytrust.sock")))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE));
    // tpm-core alone has no device transport: the native module provides it
    assertThatThrownBy(() -> TpmSession.open(TpmUri.parse("device:/dev/tpmrm0")))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_PLATFORM_UNSUPPORTED))
        .hasMessageContaining("keytrust-native");
  }
}
