package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.lab.Tpm2Tools.SignScheme;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tpm2Tools and the per-class extension against one real TCP swtpm. */
class Tpm2ToolsTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  private static final String SRK = "0x81000001";
  private static final byte[] AUTH = sha256("lab-test-pin");

  @BeforeAll
  static void persistSrk() {
    Tpm2Tools tools = SWTPM.tools();
    Path ctx = SWTPM.workDir().resolve("srk.ctx");
    tools.run("tpm2_createprimary", "-C", "o", "-c", ctx.toString(), "-Q");
    tools.run("tpm2_evictcontrol", "-C", "o", "-c", ctx.toString(), SRK);
    tools.flushTransient();
  }

  @AfterEach
  void flush() {
    SWTPM.tools().flushTransient();
  }

  @Test
  void extension_startsOneTcpSwtpmForTheClass() {
    assertThat(SWTPM.swtpm().isRunning()).isTrue();
    assertThat(SWTPM.swtpm().mode()).isEqualTo(Swtpm.Mode.TCP);
    assertThat(SWTPM.workDir()).isDirectory();
    assertThat(SWTPM.tools().readPublic(SRK).name()).matches("000b[0-9a-f]{64}");
  }

  @Test
  void getRandom_returnsTheRequestedBytes() {
    assertThat(SWTPM.tools().getRandom(8)).hasSize(8);
    assertThat(SWTPM.tools().getRandom(32)).hasSize(32);
  }

  @ParameterizedTest
  @EnumSource(SignScheme.class)
  void loadAndSign_plainSignatureVerifiesInOpenssl(SignScheme scheme) throws IOException {
    Tpm2Tools tools = SWTPM.tools();
    Path dir = Files.createTempDirectory(SWTPM.workDir(), scheme.name());
    Path pub = dir.resolve("key.pub");
    Path priv = dir.resolve("key.priv");
    Path ctx = dir.resolve("key.ctx");
    Path msg = Files.writeString(dir.resolve("msg"), "keytrust lab message");
    Path sig = dir.resolve("sig");
    Path pem = dir.resolve("pub.pem");
    String alg = scheme == SignScheme.RSASSA ? "rsa2048:rsassa-sha256" : "ecc256:ecdsa-sha256";
    tools.runWithAuth(AUTH, "tpm2_create", "-C", SRK, "-G", alg, "-p", "file:-", "-u", pub.toString(), "-r", priv.toString(), "-Q");
    tools.flushTransient();

    String name = tools.load(SRK, pub, priv, ctx);
    tools.flushTransient();
    tools.sign(ctx, AUTH, msg, sig, scheme);
    tools.flushTransient();
    tools.readPublicPem(ctx.toString(), pem);

    assertThat(name).matches("000b[0-9a-f]{64}").isEqualTo(tools.readPublic(ctx.toString()).name());
    byte[] signature = Files.readAllBytes(sig);
    if (scheme == SignScheme.RSASSA) {
      assertThat(signature).as("PKCS#1 v1.5 signature, modulus length").hasSize(256);
    } else {
      assertThat(signature[0]).as("DER SEQUENCE").isEqualTo((byte) 0x30);
      assertThat(signature[1] & 0xFF).as("DER length").isEqualTo(signature.length - 2);
    }
    assertThat(Openssl.verify(pem, msg, sig)).isTrue();
    Files.writeString(msg, "another message");
    assertThat(Openssl.verify(pem, msg, sig)).isFalse();
  }

  @Test
  void sign_withAWrongAuthValue_failsWithoutRevealingTheAuth() throws IOException {
    Tpm2Tools tools = SWTPM.tools();
    Path dir = Files.createTempDirectory(SWTPM.workDir(), "wrong");
    Path pub = dir.resolve("key.pub");
    Path priv = dir.resolve("key.priv");
    Path ctx = dir.resolve("key.ctx");
    Path msg = Files.writeString(dir.resolve("msg"), "m");
    tools.runWithAuth(AUTH, "tpm2_create", "-C", SRK, "-G", "ecc256:ecdsa-sha256", "-p", "file:-", "-u", pub.toString(), "-r", priv.toString(), "-Q");
    tools.flushTransient();
    tools.load(SRK, pub, priv, ctx);
    tools.flushTransient();
    byte[] wrong = sha256("not-the-pin");
    try {
      assertThatThrownBy(() -> tools.sign(ctx, wrong, msg, dir.resolve("sig"), SignScheme.ECDSA))
          .isInstanceOfSatisfying(
              ToolFailedException.class,
              e -> {
                assertThat(e.result().exitCode()).isNotZero();
                assertThat(e.result().commandLine()).contains("tpm2_sign", "-p file:-");
                assertThat(e.getMessage())
                    .contains("tpm2_sign", "exited with code")
                    .containsIgnoringCase("0x98e")
                    .doesNotContain(HexFormat.of().formatHex(wrong))
                    .doesNotContain(HexFormat.of().formatHex(AUTH));
              });
      assertThat(dir.resolve("sig")).doesNotExist();
    } finally {
      tools.flushTransient();
      tools.run("tpm2_dictionarylockout", "-c");
    }
  }

  @Test
  void run_onANonZeroExit_reportsCommandExitCodeAndStderr() {
    assertThatThrownBy(() -> SWTPM.tools().run("tpm2_readpublic", "-c", "0x81000099"))
        .isInstanceOfSatisfying(
            ToolFailedException.class,
            e -> {
              assertThat(e.getMessage()).contains("'tpm2_readpublic -c 0x81000099' exited with code");
              assertThat(e.getMessage()).contains("ERROR").contains(SWTPM.swtpm().tpm2toolsTcti());
              assertThat(e.result().stderr()).isNotBlank();
            });
    assertThat(SWTPM.tools().tryRun("tpm2_readpublic", "-c", "0x81000099").succeeded()).isFalse();
  }

  @Test
  void aToolBlockedByAnotherClient_timesOutWithTheOneClientHint() throws IOException {
    Tpm2Tools impatient = new Tpm2Tools(SWTPM.swtpm(), SWTPM.workDir(), Duration.ofSeconds(2));
    try (Socket javaClient = new Socket()) {
      javaClient.connect(new InetSocketAddress(Swtpm.LOOPBACK, SWTPM.swtpm().port()));

      assertThatThrownBy(() -> impatient.getRandom(4))
          .isInstanceOf(LabException.class)
          .hasMessageContaining("did not finish within 2 s")
          .hasMessageContaining("one client at a time");
    }
    assertThat(SWTPM.tools().getRandom(4)).as("usable again once the other client left").hasSize(4);
  }

  @Test
  void newTpm2Tools_onAUnixSwtpm_isRefused(@org.junit.jupiter.api.io.TempDir Path tmp) {
    try (Swtpm unix = Swtpm.startUnix(tmp.resolve("u"))) {
      assertThatThrownBy(() -> new Tpm2Tools(unix, tmp))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("startTcp");
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
