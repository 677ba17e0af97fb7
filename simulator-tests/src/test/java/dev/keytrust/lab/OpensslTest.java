package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Openssl.verify against signatures made by openssl itself. */
class OpensslTest {
  @TempDir Path tmp;

  @BeforeAll
  static void requireOpenssl() {
    assertThat(Openssl.available()).as("openssl is not on PATH: run ./scripts/test.sh").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"RSA", "EC"})
  void verify_isTrueForAGoodSignature_andFalseWhenMessageOrSignatureIsTampered(String algorithm) throws IOException {
    Path key = tmp.resolve("key.pem");
    Path pub = tmp.resolve("pub.pem");
    Path msg = Files.writeString(tmp.resolve("msg"), "signed by openssl");
    Path sig = tmp.resolve("sig");
    String keyOption = algorithm.equals("RSA") ? "rsa_keygen_bits:2048" : "ec_paramgen_curve:P-256";
    Openssl.run("genpkey", "-algorithm", algorithm, "-pkeyopt", keyOption, "-out", key.toString());
    Openssl.run("pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
    Openssl.run("dgst", "-sha256", "-sign", key.toString(), "-out", sig.toString(), msg.toString());

    assertThat(Openssl.verify(pub, msg, sig)).isTrue();

    Path otherMsg = Files.writeString(tmp.resolve("other"), "signed by openssl!");
    assertThat(Openssl.verify(pub, otherMsg, sig)).isFalse();

    byte[] bad = Files.readAllBytes(sig);
    bad[bad.length - 1] ^= 0x01;
    Path badSig = Files.write(tmp.resolve("bad-sig"), bad);
    assertThat(Openssl.verify(pub, msg, badSig)).isFalse();
  }

  @Test
  void verify_withAMissingFile_throwsInsteadOfAnsweringFalse() throws IOException {
    Path msg = Files.writeString(tmp.resolve("msg"), "m");
    assertThatThrownBy(() -> Openssl.verify(tmp.resolve("missing.pem"), msg, msg))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("missing.pem");
  }

  @Test
  void verify_withAnUnreadableKey_throws() throws IOException {
    Path msg = Files.writeString(tmp.resolve("msg"), "m");
    Path notAKey = Files.writeString(tmp.resolve("not-a-key.pem"), "not a key");
    assertThatThrownBy(() -> Openssl.verify(notAKey, msg, msg))
        .isInstanceOf(ToolFailedException.class)
        .hasMessageContaining("openssl dgst -sha256 -verify");
  }
}
