package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.lab.Openssl;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.lab.Tpm2Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code keytrust} CLI as a lab user runs it: the packaged jar in its own JVM, against swtpm,
 * with PINs on stdin, checking stdout, stderr and exit codes.
 */
class CliOnSwtpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  static Path jar;
  @TempDir Path store;
  @TempDir Path work;

  @BeforeAll
  static void findJar() {
    jar = KeytrustJar.jar();
  }

  KeytrustJar.Run keytrust(String stdin, String... args) throws Exception {
    return KeytrustJar.run(stdin, args);
  }

  static String jsonString(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    assertThat(m.find()).as(field + " in " + json).isTrue();
    return m.group(1).replace("\\n", "\n").replace("\\/", "/");
  }

  @Test
  void tpmInfoReportsTheSimulator() throws Exception {
    KeytrustJar.Run r = keytrust("", "tpm", "info", "--tpm", SWTPM.swtpm().tpmUri(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"manufacturer\"").contains("IBM").contains("NIST_P256").contains("0x81000001");
    assertThat(r.err()).isEmpty();
    KeytrustJar.Run text = keytrust("", "tpm", "info", "--tpm", SWTPM.swtpm().tpmUri());
    assertThat(text.exit()).isZero();
    assertThat(text.out()).contains("Manufacturer").contains("IBM").contains("Tries left");
  }

  @Test
  void createSignVerifyExportAndDeleteThroughTheCli() throws Exception {
    String tpm = SWTPM.swtpm().tpmUri();
    KeytrustJar.Run created = keytrust("lab-PIN-2580\n", "key", "create", "--user", "lab-user", "--tpm", tpm, "--store", store.toString(),
        "--pin-stdin", "--json");
    assertThat(created.exit()).as(created.err()).isZero();
    String pem = jsonString(created.out(), "publicKeyPem");
    assertThat(jsonString(created.out(), "provider")).isEqualTo("tpm");
    assertThat(jsonString(created.out(), "keyId")).matches("[0-9A-F]{64}");
    assertThat(created.out() + created.err()).doesNotContain("lab-PIN-2580");

    byte[] data = "challenge from the KDC".getBytes(StandardCharsets.UTF_8);
    KeytrustJar.Run signed = keytrust("lab-PIN-2580\n", "key", "sign", "--user", "lab-user", "--data-hex", HexFormat.of().formatHex(data),
        "--tpm", tpm, "--store", store.toString(), "--pin-stdin");
    assertThat(signed.exit()).as(signed.err()).isZero();
    Path pemFile = Files.writeString(work.resolve("pub.pem"), pem);
    Path msg = Files.write(work.resolve("msg"), data);
    Path sig = Files.write(work.resolve("sig"), HexFormat.of().parseHex(signed.out().trim()));
    assertThat(Openssl.verify(pemFile, msg, sig)).isTrue();

    KeytrustJar.Run wrong = keytrust("0000\n", "key", "sign", "--user", "lab-user", "--data-hex", "00", "--tpm", tpm,
        "--store", store.toString(), "--pin-stdin");
    assertThat(wrong.exit()).isEqualTo(1);
    assertThat(wrong.err()).contains("Wrong PIN").contains("tries left").contains("KT-0201").doesNotContain("0000");
    assertThat(wrong.out()).isEmpty();

    KeytrustJar.Run badHex = keytrust("lab-PIN-2580\n", "key", "sign", "--user", "lab-user", "--data-hex", "zz", "--tpm", tpm,
        "--store", store.toString(), "--pin-stdin");
    assertThat(badHex.exit()).isEqualTo(2);

    Path blobs = work.resolve("blobs");
    KeytrustJar.Run exported = keytrust("", "key", "export", "--user", "lab-user", "--tpm-blobs", blobs.toString(),
        "--store", store.toString());
    assertThat(exported.exit()).as(exported.err()).isZero();
    assertThat(exported.out()).contains("tpm2_load");
    Tpm2Tools tools = SWTPM.tools();
    tools.load("0x81000001", blobs.resolve("key.pub"), blobs.resolve("key.priv"), work.resolve("k.ctx"));
    tools.flushTransient();

    KeytrustJar.Run deleted = keytrust("", "key", "delete", "--user", "lab-user", "--store", store.toString());
    assertThat(deleted.exit()).as(deleted.err()).isZero();
    KeytrustJar.Run gone = keytrust("", "key", "show", "--user", "lab-user", "--store", store.toString());
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).contains("KT-0301");
  }

  @Test
  void unreachableTpmAndUnknownUriAreClearErrors() throws Exception {
    KeytrustJar.Run unknown = keytrust("", "tpm", "info", "--tpm", "tcp://127.0.0.1:1");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("mssim://HOST:PORT").contains("KT-0002");
    KeytrustJar.Run missing = keytrust("", "tpm", "info", "--tpm", "unix:" + work.resolve("no.sock"));
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("KT-0101");
  }
}
