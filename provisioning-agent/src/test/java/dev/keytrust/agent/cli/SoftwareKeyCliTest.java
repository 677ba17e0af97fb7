package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CLI end to end over the software provider ({@code --tpm software}) and a real key store in a
 * temp folder: create, show, sign (verified with JCA against the printed PEM), wrong PIN, delete.
 */
class SoftwareKeyCliTest {

  private static final String PIN = "246810";

  @TempDir Path store;

  private CliRunner.Result run(String stdin, String... args) {
    return new CliRunner().stdin(stdin).run(args);
  }

  private String[] with(String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--tpm";
    all[args.length + 1] = "software";
    all[args.length + 2] = "--store";
    all[args.length + 3] = store.toString();
    return all;
  }

  @ParameterizedTest
  @CsvSource({"rsa2048, SHA256withRSA, RSA", "p256, SHA256withECDSA, EC"})
  void createShowSignDelete(String alg, String jcaSignature, String keyFactory) throws Exception {
    // create, PIN from stdin
    CliRunner.Result created = run(PIN + "\n", with("key", "create", "--user", "alice", "--alg", alg, "--pin-stdin"));
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.err()).isEqualTo("keytrust: creating the " + alg + " key and encrypting it under the PIN (Argon2id)...\n");
    assertThat(created.out()).contains(" User : alice\n", " Provider : software\n", " Algorithm : " + alg + "\n",
        " Created : ", "-----BEGIN PUBLIC KEY-----");
    String keyId = field(created.out(), "Key id");
    assertThat(keyId).matches("[0-9A-F]{64}");
    PublicKey publicKey = parsePem(created.out(), keyFactory);

    // show: same key, no PIN, no TPM
    CliRunner.Result shown = run("", "key", "show", "--user", "alice", "--store", store.toString());
    assertThat(shown.exitCode()).as(shown.err()).isZero();
    assertThat(field(shown.out(), "Key id")).isEqualTo(keyId);
    assertThat(parsePem(shown.out(), keyFactory)).isEqualTo(publicKey);

    // sign: the hex signature verifies over the data with the printed public key
    byte[] data = "hello from keytrust".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    CliRunner.Result signed = run(PIN + "\r\n",
        with("key", "sign", "--user", "alice", "--data-hex", HexFormat.of().formatHex(data), "--pin-stdin"));
    assertThat(signed.exitCode()).as(signed.err()).isZero();
    assertThat(signed.err()).isEmpty();
    assertThat(signed.out()).matches("[0-9a-f]+\n");
    byte[] signature = HexFormat.of().parseHex(signed.out().strip());
    Signature verifier = Signature.getInstance(jcaSignature);
    verifier.initVerify(publicKey);
    verifier.update(data);
    assertThat(verifier.verify(signature)).isTrue();
    verifier.initVerify(publicKey);
    verifier.update("other data".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(verifier.verify(signature)).isFalse();

    // wrong PIN: exit 1, one line with the code and the tries left, no signature on stdout
    CliRunner.Result wrong = run("999999\n",
        with("key", "sign", "--user", "alice", "--data-hex", "00", "--pin-stdin"));
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.out()).isEmpty();
    assertThat(wrong.err().lines()).hasSize(1);
    assertThat(wrong.err()).startsWith("keytrust: ").contains("[KT-0201]").containsPattern("\\d+ tr(y|ies)")
        .doesNotContain("999999").doesNotContain(PIN);

    // delete: says what went, and the key is gone
    CliRunner.Result deleted = run("", "key", "delete", "--user", "alice", "--store", store.toString());
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(deleted.out()).contains("Deleted", "software " + alg, "'alice'", keyId);
    CliRunner.Result gone = run("", "key", "show", "--user", "alice", "--store", store.toString());
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.err()).contains("[KT-0301]");
    // the library says what to do; the CLI adds how, with its own commands and options
    assertThat(gone.err().lines()).hasSize(1);
    assertThat(gone.err()).contains("'keytrust key create --user alice'", "--store");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"   ", "12\u000034", "12\u001B34", "\t"})
  void keyCreateRefusesPinsNoOneTypesWithExitTwo(String pin) {
    CliRunner.Result r = run(pin + "\n", with("key", "create", "--user", "zoe", "--alg", "p256", "--pin-stdin"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("[KT-0004]");
    assertThat(run("", "key", "show", "--user", "zoe", "--store", store.toString()).exitCode()).isEqualTo(1);
  }

  @Test
  void invalidUtf8IsRefusedNotDecodedLossily() {
    // p 0xFF 0xFE i n and p 0xFE 0xFF i n: both would read as "p\uFFFD\uFFFDin" if decoded lossily
    byte[] first = {'p', (byte) 0xFF, (byte) 0xFE, 'i', 'n', '\n'};
    CliRunner.Result r = new CliRunner().stdin(first)
        .run(with("key", "create", "--user", "yan", "--alg", "p256", "--pin-stdin"));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("not valid UTF-8").contains("[KT-0004]");
  }

  @Test
  void jsonOutputParsesBackToTheSameKey() throws Exception {
    CliRunner.Result created = run(PIN + "\n", with("key", "create", "--user", "bob", "--alg", "p256", "--pin-stdin",
        "--json"));
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out()).startsWith("{\n").endsWith("}\n")
        .contains("\"user\": \"bob\"", "\"provider\": \"software\"", "\"algorithm\": \"p256\"", "\"tpm\": \"software\"")
        .contains("\"publicKeyPem\": \"-----BEGIN PUBLIC KEY-----\\n");
    String keyId = jsonString(created.out(), "keyId");

    CliRunner.Result shown = run("", "key", "show", "--user", "bob", "--store", store.toString(), "--json");
    assertThat(jsonString(shown.out(), "keyId")).isEqualTo(keyId);
    String pem = jsonString(shown.out(), "publicKeyPem").replace("\\n", "\n");
    PublicKey publicKey = parsePem(pem, "EC");

    CliRunner.Result signed = run(PIN + "\n",
        with("key", "sign", "--user", "bob", "--data-hex", "cafe", "--pin-stdin", "--json"));
    assertThat(signed.exitCode()).as(signed.err()).isZero();
    assertThat(jsonString(signed.out(), "signatureAlgorithm")).isEqualTo("SHA256withECDSA");
    assertThat(jsonString(signed.out(), "keyId")).isEqualTo(keyId);
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(publicKey);
    verifier.update(new byte[] {(byte) 0xca, (byte) 0xfe});
    assertThat(verifier.verify(HexFormat.of().parseHex(jsonString(signed.out(), "signature")))).isTrue();
  }

  @Test
  void tpmFromTheVariableIsUsedWhenNoOptionIsGiven() {
    CliRunner.Result r = new CliRunner().env(Map.of("KEYTRUST_TPM", "software")).stdin(PIN + "\n")
        .run("key", "create", "--user", "carol", "--alg", "p256", "--store", store.toString(), "--pin-stdin");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(field(r.out(), "Provider")).isEqualTo("software");
  }

  @Test
  void createTwiceExitsOneWithKeyExists() {
    assertThat(run(PIN + "\n", with("key", "create", "--user", "dave", "--alg", "p256", "--pin-stdin")).exitCode())
        .isZero();
    // no PIN is read: stdin is empty, and the answer is still "exists", not "empty PIN"
    CliRunner.Result again = run("", with("key", "create", "--user", "dave", "--alg", "p256", "--pin-stdin"));
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("[KT-0302]");
  }

  @Test
  void aSoftwareKeySignsWithoutNamingTheProviderButANamedTpmIsRespected() throws Exception {
    assertThat(run(PIN + "\n", with("key", "create", "--user", "gus", "--alg", "p256", "--pin-stdin")).exitCode())
        .isZero();
    CliRunner.Result signed = new CliRunner().stdin(PIN + "\n")
        .run("key", "sign", "--user", "gus", "--data-hex", "cafe", "--store", store.toString(), "--pin-stdin");
    assertThat(signed.exitCode()).as(signed.err()).isZero();
    assertThat(signed.out().strip()).matches("[0-9a-f]+");
    // an explicitly named TPM is not overridden by the key's provider
    CliRunner.Result named = new CliRunner().stdin(PIN + "\n").run("key", "sign", "--user", "gus", "--data-hex",
        "cafe", "--store", store.toString(), "--pin-stdin", "--tpm", "unix:" + store.resolve("no.sock"));
    assertThat(named.exitCode()).isEqualTo(1);
    assertThat(named.err()).contains("KT-0101");
    // a missing key is reported before any PIN is read
    CliRunner.Result missing = new CliRunner().run("key", "sign", "--user", "nobody", "--data-hex", "cafe",
        "--store", store.toString(), "--pin-stdin");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("KT-0301");
  }

  @Test
  void exportOfASoftwareKeyIsRefused() {
    assertThat(run(PIN + "\n", with("key", "create", "--user", "erin", "--alg", "p256", "--pin-stdin")).exitCode())
        .isZero();
    CliRunner.Result r = run("", "key", "export", "--user", "erin", "--store", store.toString(), "--tpm-blobs",
        store.resolve("blobs").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("software key");
    assertThat(store.resolve("blobs")).doesNotExist();
  }

  @Test
  void thePinNeverReachesTheStoreOrTheOutput() throws Exception {
    String pin = "pin-7f3a91";
    CliRunner.Result r = run(pin + "\n", with("key", "create", "--user", "frank", "--alg", "p256", "--pin-stdin"));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out() + r.err()).doesNotContain(pin);
    try (var files = Files.walk(store)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
            .as(f.toString()).doesNotContain(pin);
      }
    }
  }

  static String field(String report, String name) {
    Matcher m = Pattern.compile("(?m)^ *" + Pattern.quote(name) + " : (.*)$").matcher(report);
    assertThat(m.find()).as("field " + name + " in\n" + report).isTrue();
    return m.group(1);
  }

  static String jsonString(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    assertThat(m.find()).as(name + " in\n" + json).isTrue();
    return m.group(1);
  }

  static PublicKey parsePem(String text, String keyFactory) throws Exception {
    Matcher m = Pattern.compile("-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/=\n]+)-----END PUBLIC KEY-----")
        .matcher(text);
    assertThat(m.find()).as("PEM in\n" + text).isTrue();
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    return KeyFactory.getInstance(keyFactory).generatePublic(new X509EncodedKeySpec(der));
  }
}
