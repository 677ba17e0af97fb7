package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code keytrust kcl decode|encode} end to end, in-process: every vector of
 * {@code vectors/keycredentiallink.json} (a copy of tpm-core's, see the README beside it) in every
 * input form, checked field by field with Jackson against its {@code expect}; errors; the report;
 * encode round trips through decode.
 */
class KclCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The top-level keys of {@code kcl decode --json}, always all present. */
  private static final Set<String> DECODE_KEYS = Set.of(
      "error", "version", "keyId", "keyHash", "keyHashValid", "keyIdMatchesKeyMaterial", "usageCode", "usage",
      "sourceCode", "source", "deviceId", "customKeyInformationHex", "creationTime", "lastLogonTime", "entryIds",
      "keyMaterial", "ownerDn", "roundTripIdentical", "weakKey", "unknownEntries");
  /** The keyMaterial keys {@code kcl decode --json} may print (only those that apply to the format). */
  private static final Set<String> MATERIAL_KEYS = Set.of(
      "format", "length", "algorithm", "keyBits", "exponent", "modulus", "curve", "x", "y", "aaguid",
      "credentialId", "signCount");
  /**
   * DSInternals KeyCredential_Parse_UserKey3 (MichaelGrafnetter/DSInternals@048c6953,
   * Src/DSInternals.Common.Test/KeyCredentialTester.cs, MIT), also in tpm-core's
   * vectors/keycredentiallink-extra.txt: an Entra ID user key whose RSA modulus has the ROCA fingerprint.
   */
  private static final String ROCA_USER_KEY3 = "00020000200001D333C85D306B27498806D9AEFDC984C18DE8EB855BF481E4AD3A24A2"
      + "1929FD5B200002E88E7EBE4CE413FDA9ED987C0CC8C327438B0861DC3BE116680CF8E2BAEB27B01B01035253413100080000030000"
      + "00000100000000000000000000010001976D21DC9A0C0B84040688F5E7F2BB8147B1305CA01CEFDB13E9FAB49EB6734FD3C32B5D34"
      + "B01EB6ACE35DDF73E62CB506501A5FD1AAAB698FB98AEA2F2721393C155D84DDF59EF91D8F6402FD755D246C3E04BAF96EFA04BBC7"
      + "DD314C083800B934B192EA587904C938255D781EC0B2FE8FA3135F952A13FF805492579AD6710051525A7A824A8A5CBA74EF4D3A2F"
      + "2E271856FF633A411912A53BEAA2805A1B57148ACC8404B473FD3580F450DE5AAB10334FEB084B6045A65840898A66BF88AE19DB80"
      + "2AF7FA4AEED95ECDC8FF286AE0075575F82974396B72730C15C511A961BBD6A5A4B46D395AA85F82ACBD585CE57DAE05EE7B22CBEA"
      + "9E9E02571EF5890100040101000501100006871059FD5C24F54FA5EAC14DE5E2B32D05000701000000000800080040230E430000"
      + "40080009D1B7948179CED448";

  private static RSAPublicKey rsaKey;
  private static ECPublicKey ecKey;

  @TempDir Path dir;

  record Vector(String id, JsonNode input, JsonNode expect) {
    @Override
    public String toString() {
      return id;
    }

    String hex() {
      return input.has("hex") ? input.get("hex").asText() : null;
    }

    String dnBinary() {
      return input.has("dnBinary") ? input.get("dnBinary").asText() : null;
    }

    boolean error() {
      return expect.get("error").asBoolean();
    }

    /**
     * A well-formed blob with neither KeyID nor KeyMaterial (test tools write them to test
     * validation): the codec reads it, {@code kcl decode} says it is not a key credential.
     */
    boolean namesNoKey() {
      if (error() || hex() == null) {
        return false;
      }
      try {
        dev.keytrust.credential.KeyCredential kc =
            dev.keytrust.credential.KeyCredential.parse(HexFormat.of().parseHex(hex()));
        return kc.keyId().isEmpty() && kc.keyMaterial().isEmpty();
      } catch (dev.keytrust.error.KeytrustException e) {
        return false;
      }
    }
  }

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    rsaKey = (RSAPublicKey) rsa.generateKeyPair().getPublic();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    ecKey = (ECPublicKey) ec.generateKeyPair().getPublic();
  }

  static List<Vector> vectors() throws Exception {
    try (InputStream in = KclCliTest.class.getResourceAsStream("/vectors/keycredentiallink.json")) {
      assertThat(in).as("vectors/keycredentiallink.json in the test resources").isNotNull();
      List<Vector> out = new ArrayList<>();
      for (JsonNode v : JSON.readTree(in).get("vectors")) {
        out.add(new Vector(v.get("id").asText(), v.get("input"), v.get("expect")));
      }
      return out;
    }
  }

  /** Every (vector, input form) pair the vector allows. */
  static Stream<Arguments> validInputs() throws Exception {
    List<Arguments> out = new ArrayList<>();
    for (Vector v : vectors()) {
      if (v.error() || v.namesNoKey()) {
        continue;
      }
      if (v.hex() != null) {
        for (String form : List.of("hex", "hex-lower", "hex-spaced", "base64", "base64url", "file", "stdin")) {
          out.add(Arguments.of(v, form));
        }
      }
      if (v.dnBinary() != null) {
        for (String form : List.of("dnBinary", "dnBinary-file", "dnBinary-stdin")) {
          out.add(Arguments.of(v, form));
        }
      }
    }
    return out.stream();
  }

  static Stream<Arguments> errorInputs() throws Exception {
    List<Arguments> out = new ArrayList<>();
    for (Vector v : vectors()) {
      if (!v.error()) {
        continue;
      }
      if (v.hex() != null) {
        out.add(Arguments.of(v, "hex"));
        out.add(Arguments.of(v, "stdin"));
      }
      if (v.dnBinary() != null) {
        out.add(Arguments.of(v, "dnBinary"));
        out.add(Arguments.of(v, "dnBinary-file"));
      }
    }
    return out.stream();
  }

  @Test
  void theCopiedVectorFileIsComplete() throws Exception {
    assertThat(vectors()).hasSize(32);
    assertThat(vectors().stream().filter(Vector::error)).hasSize(4);
  }

  // ------------------------------------------------------------------ decode --json

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("validInputs")
  void decodeJsonGivesEveryExpectedField(Vector v, String form) throws Exception {
    CliRunner.Result r = decode(v, form, "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    JsonNode actual = JSON.readTree(r.out());
    assertThat(r.out()).endsWith("\n");

    assertThat(names(actual)).as("top-level keys").isEqualTo(new TreeSet<>(DECODE_KEYS));
    boolean dn = form.startsWith("dnBinary");
    Iterator<Map.Entry<String, JsonNode>> it = v.expect().fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      if (!DECODE_KEYS.contains(name)) {
        fail("expect field %s of %s is not printed by kcl decode --json", name, v.id());
      }
      if (name.equals("ownerDn") && !dn) {
        continue; // hex and base64 carry no DN
      }
      if (name.equals("keyMaterial")) {
        assertMaterial(v.id(), f.getValue(), actual.get("keyMaterial"));
      } else {
        assertSameJson(v.id() + " " + name, actual.get(name), f.getValue());
      }
    }
    if (!v.expect().has("keyMaterial")) {
      assertThat(actual.get("keyMaterial").isNull()).as("keyMaterial is null exactly when there is no 0x03 entry")
          .isEqualTo(!ints(actual.get("entryIds")).contains(3));
    }
    if (!dn) {
      assertThat(actual.get("ownerDn").isNull()).as("ownerDn of a " + form + " value").isTrue();
    }

    // the fields the vectors leave out, checked for shape and consistency
    assertThat(actual.get("roundTripIdentical").asBoolean()).isTrue();
    assertThat(actual.get("unknownEntries").isArray()).isTrue();
    if (actual.get("usageCode").isNull()) {
      assertThat(actual.get("usage").isNull() || actual.get("usage").asText().equals("UNKNOWN")).isTrue();
    } else {
      assertThat(actual.get("usage").isTextual()).isTrue();
    }
    if (actual.get("sourceCode").isNull()) {
      assertThat(actual.get("source").isNull()).isTrue();
    } else {
      assertThat(actual.get("source").asText()).isIn("AD", "AZURE_AD", "UNKNOWN");
    }
    JsonNode material = actual.get("keyMaterial");
    if (!material.isNull() && material.has("modulus")) {
      assertThat(actual.get("weakKey").isBoolean()).isTrue();
    }
    for (String hexField : List.of("keyId", "keyHash", "customKeyInformationHex")) {
      if (!actual.get(hexField).isNull()) {
        assertThat(actual.get(hexField).asText()).as(hexField).matches("([0-9A-F]{2})*");
      }
    }
    for (String time : List.of("creationTime", "lastLogonTime")) {
      if (!actual.get(time).isNull()) {
        assertThat(actual.get(time).asText()).as(time).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z");
      }
    }
  }

  @Test
  void namedUsageSourceAndWeakKeyOfKnownVectors() throws Exception {
    JsonNode userKey1 = decodeJson(vector("dsinternals/KeyCredential_Parse_UserKey1").hex());
    assertThat(userKey1.get("usage").asText()).isEqualTo("NGC");
    assertThat(userKey1.get("source").asText()).isEqualTo("AD");
    assertThat(userKey1.get("weakKey").asBoolean()).isFalse();
    assertThat(userKey1.get("unknownEntries").size()).isZero();

    JsonNode userKey2 = decodeJson(vector("dsinternals/KeyCredential_Parse_UserKey2").hex());
    assertThat(userKey2.get("source").asText()).isEqualTo("AZURE_AD");

    JsonNode fido = decodeJson(vector("dsinternals/KeyCredential_Parse_UserKeyFIDO0").hex());
    assertThat(fido.get("usage").asText()).isEqualTo("FIDO");
    assertThat(fido.get("weakKey").isNull()).as("weakKey is about RSA moduli").isTrue();

    JsonNode roca = decodeJson(ROCA_USER_KEY3);
    assertThat(roca.get("weakKey").asBoolean()).isTrue();
    assertThat(roca.get("keyMaterial").get("keyBits").asInt()).isEqualTo(2048);
  }

  @Test
  void unknownEntriesAreListedWithIdOffsetLengthAndValue() throws Exception {
    Vector v = vector("keycred/TestUnknownEntry");
    JsonNode actual = decodeJson(v.hex());
    JsonNode unknown = actual.get("unknownEntries");
    assertThat(unknown.size()).isEqualTo(1);
    JsonNode e = unknown.get(0);
    assertThat(names(e)).containsExactly("id", "length", "offset", "value");
    int id = e.get("id").asInt();
    assertThat(id).isEqualTo(0x63);
    int offset = e.get("offset").asInt();
    byte[] blob = HexFormat.of().parseHex(v.hex());
    assertThat(blob[offset + 2] & 0xFF).as("the entry's identifier byte at its offset").isEqualTo(id);
    int length = (blob[offset] & 0xFF) | (blob[offset + 1] & 0xFF) << 8;
    assertThat(e.get("length").asInt()).isEqualTo(length);
    assertThat(e.get("value").asText()).isEqualTo(
        HexFormat.of().withUpperCase().formatHex(blob, offset + 3, offset + 3 + length));
  }

  // ------------------------------------------------------------------ errors

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("errorInputs")
  void malformedVectorsExitTwoWithCodeAndOffset(Vector v, String form) throws Exception {
    CliRunner.Result r = decode(v, form, "--json");
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
    JsonNode json = JSON.readTree(r.out());
    assertThat(names(json)).containsExactly("error");
    JsonNode error = json.get("error");
    assertThat(names(error)).isEqualTo(new TreeSet<>(Set.of("code", "offset", "message")));
    assertThat(error.get("code").asText()).isIn("KT-0401", "KT-0402");
    assertThat(error.get("offset").isInt()).as("offset is a number").isTrue();
    int offset = error.get("offset").asInt();
    if (error.get("code").asText().equals("KT-0401")) {
      assertThat(offset).isBetween(0, v.hex() == null ? Integer.MAX_VALUE : v.hex().length() / 2);
      assertThat(error.get("message").asText()).contains("byte " + offset);
    } else {
      assertThat(offset).isBetween(0, v.dnBinary().length());
      assertThat(error.get("message").asText()).contains("character " + offset);
    }
    // stderr: the usual one line with the code
    assertThat(r.err()).startsWith("keytrust: ").endsWith("[" + error.get("code").asText() + "]\n");
    assertThat(r.err().lines()).hasSize(1);

    // without --json: nothing on stdout, the same line on stderr
    CliRunner.Result plain = decode(v, form);
    assertThat(plain.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(plain.out()).isEmpty();
    assertThat(plain.err()).isEqualTo(r.err());
  }

  @Test
  void aValueThatNamesNoKeyIsNotAKeyCredential() throws Exception {
    List<Vector> noKey = vectors().stream().filter(Vector::namesNoKey).toList();
    assertThat(noKey).extracting(Vector::id).containsExactlyInAnyOrder(
        "keycred/TestValidationError/no key material and no key ID",
        "manticore/TestParseDNWithBinary_MalformedValues/version only");
    for (Vector v : noKey) {
      CliRunner.Result r = decode(v, "hex", "--json");
      assertThat(r.exitCode()).as(v.id()).isEqualTo(ExitCodes.BAD_INPUT);
      JsonNode error = JSON.readTree(r.out()).get("error");
      assertThat(error.get("code").asText()).isEqualTo("KT-0401");
      assertThat(error.get("offset").asInt()).isEqualTo(HexFormat.of().parseHex(v.hex()).length);
      assertThat(error.get("message").asText()).contains("no KeyID and no KeyMaterial");
    }
  }

  @Test
  void aMegabyteOfEmptyEntriesIsRefusedAtTheEntryBound() throws Exception {
    // (almost) 1 MiB of the hex digit 0: version 0, then 174,761 empty entries of an unknown kind
    Path f = write("zeros.txt", "0".repeat(1024 * 1024 - 2) + "\n");
    CliRunner.Result r = new CliRunner().run("kcl", "decode", "--json", "@" + f);
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
    JsonNode error = JSON.readTree(r.out()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("KT-0401");
    assertThat(error.get("message").asText()).contains("more than 64 entries");
    assertThat(r.out().length()).isLessThan(1000);
  }

  @Test
  void truncatedTimestampPointsAtItsEntry() throws Exception {
    CliRunner.Result r = new CliRunner().run("kcl", "decode", "--json", "000200000100050104000800000000");
    assertThat(r.exitCode()).isEqualTo(2);
    JsonNode error = JSON.readTree(r.out()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("KT-0401");
    assertThat(error.get("offset").asInt()).isEqualTo(8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "B:", "zz!", "0G", "@/nonexistent/kcl-value.txt", "AAE=+_"})
  void unreadableValuesExitTwo(String value) throws Exception {
    CliRunner.Result r = new CliRunner().run("kcl", "decode", "--json", value);
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("keytrust: ").matches("(?s)keytrust: .*\\[KT-0\\d{3}\\]\n");
    JsonNode error = JSON.readTree(r.out()).get("error");
    assertThat(error.get("code").asText()).matches("KT-0\\d{3}");
    assertThat(error.get("message").asText()).isNotBlank();
  }

  @Test
  void binaryFileIsRefusedWithAHint() throws Exception {
    Path f = dir.resolve("value.bin");
    Files.write(f, new byte[] {0x00, 0x02, 0x00, 0x00, (byte) 0xFF, (byte) 0xFE});
    CliRunner.Result r = new CliRunner().run("kcl", "decode", "@" + f);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("not UTF-8 text").contains("xxd -p or base64");
  }

  // ------------------------------------------------------------------ report

  @Test
  void tableOfAUserKeyIsReadable() throws Exception {
    Vector v = vector("dsinternals/KeyCredential_Parse_UserKey1");
    CliRunner.Result r = new CliRunner().run("kcl", "decode", v.hex());
    assertThat(r.exitCode()).as(r.err()).isZero();
    String out = r.out();
    assertThat(out).contains("msDS-KeyCredentialLink value", "Identity and integrity", "Properties", "Key material");
    assertThat(out).containsPattern("Input : hex \\(detected\\), from the argument, 414 bytes\n");
    assertThat(out).containsPattern("Owner DN : - \\(none: the input was not DN-binary\\)\n");
    assertThat(out).containsPattern("Version : 0x200 \\(version 2\\)\n");
    assertThat(out).containsPattern("Entries : 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09\n");
    assertThat(out).containsPattern("KeyID : 20717AE052FCCF546AAD0D51E878AAD69CE04FDC39F5A8D8E3CEBA6BCB4DA0E7\n");
    assertThat(out).containsPattern("KeyID check : matches key material");
    assertThat(out).containsPattern("KeyHash check : valid");
    assertThat(out).containsPattern("Usage : NGC \\(0x01\\)\n");
    assertThat(out).containsPattern("Source : AD \\(0x00\\)\n");
    assertThat(out).containsPattern("Device id : 47f577e3-d2d0-4a0a-8aca-e0501098bde4\n");
    assertThat(out).containsPattern("Custom key information : 0100 \\(version 1, flags 0x00, 2 bytes\\)\n");
    assertThat(out).containsPattern("Created : 2018-06-13T22:32:38.1684545Z\n");
    assertThat(out).containsPattern("Timestamp encoding : FILETIME\n");
    assertThat(out).containsPattern("Format : BCRYPT_RSAKEY_BLOB, 283 bytes\n");
    assertThat(out).containsPattern("Algorithm : RSA 2048 bits\n");
    assertThat(out).containsPattern("Exponent : 65537\n");
    assertThat(out).containsPattern("Modulus : C1A78914457758B0B13C70C7\\.\\.\\.");
    assertThat(out).containsPattern("Weak key \\(ROCA\\) : NO\n");
    assertThat(out).doesNotContain("WARNING");
    // names right-aligned: every row's ':' in one column
    Set<Integer> colonColumns = new TreeSet<>();
    out.lines().filter(l -> l.contains(" : ")).forEach(l -> colonColumns.add(l.indexOf(" : ")));
    assertThat(colonColumns).hasSize(1);
  }

  @Test
  void tableNamesTheOwnerDnFidoKeyAndWarnsAboutRoca() throws Exception {
    Vector fido = vector("dsinternals/Get-ADKeyCredential.Tests.ps1/FIDO2");
    CliRunner.Result r = new CliRunner().run("kcl", "decode", fido.dnBinary());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("Owner DN : CN=Account,DC=contoso,DC=com\n");
    assertThat(r.out()).containsPattern("Input : DN-binary \\(detected\\)");
    assertThat(r.out()).containsPattern("KeyID check : not applicable \\(FIDO");
    assertThat(r.out()).containsPattern("Algorithm : EC P-256 \\(FIDO2 security key\\)\n");

    CliRunner.Result roca = new CliRunner().run("kcl", "decode", ROCA_USER_KEY3);
    assertThat(roca.exitCode()).isZero();
    assertThat(roca.out()).containsPattern("Weak key \\(ROCA\\) : YES");
    assertThat(roca.out()).contains("WARNING: the RSA key has the ROCA fingerprint (CVE-2017-15361");

    Vector unknown = vector("keycred/TestUnknownEntry");
    CliRunner.Result u = new CliRunner().run("kcl", "decode", unknown.hex());
    assertThat(u.out()).contains("Unknown entries (kept as found)").containsPattern("Entry 0x63 at byte \\d+ : ");
  }

  @Test
  void tableShowsAnInvalidKeyHash() throws Exception {
    CliRunner.Result r = new CliRunner().run("kcl", "decode", vector("keycred/TestValidationError/invalid key hash").hex());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("KeyHash check : INVALID");
  }

  // ------------------------------------------------------------------ encode

  @Test
  void encodeUserKeyDecodesBackToTheSameKey() throws Exception {
    Path pem = writePem("alice.pem", "PUBLIC KEY", rsaKey.getEncoded());
    String owner = "CN=alice,CN=Users,DC=contoso,DC=com";
    CliRunner.Result r = new CliRunner().run("kcl", "encode", "--public-key", pem.toString(),
        "--device-id", "47f577e3-d2d0-4a0a-8aca-e0501098bde4", "--created", "2024-05-01T12:00:00.1234567Z",
        "--owner-dn", owner);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    String value = r.out().strip();
    assertThat(r.out()).endsWith("\n");
    assertThat(value).matches("B:\\d+:[0-9A-F]+:" + owner);

    JsonNode d = decodeJson(value);
    assertThat(d.get("version").asInt()).isEqualTo(0x200);
    assertThat(d.get("ownerDn").asText()).isEqualTo(owner);
    assertThat(d.get("usageCode").asInt()).isEqualTo(1);
    assertThat(d.get("usage").asText()).isEqualTo("NGC");
    assertThat(d.get("sourceCode").asInt()).isZero();
    assertThat(d.get("deviceId").asText()).isEqualTo("47f577e3-d2d0-4a0a-8aca-e0501098bde4");
    assertThat(d.get("customKeyInformationHex").asText()).isEqualTo("0100");
    assertThat(d.get("creationTime").asText()).isEqualTo("2024-05-01T12:00:00.1234567Z");
    assertThat(d.get("lastLogonTime").asText()).isEqualTo("2024-05-01T12:00:00.1234567Z");
    assertThat(ints(d.get("entryIds"))).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(d.get("keyHashValid").asBoolean()).isTrue();
    assertThat(d.get("keyIdMatchesKeyMaterial").asBoolean()).isTrue();
    assertThat(d.get("roundTripIdentical").asBoolean()).isTrue();
    assertRsaMaterial(d.get("keyMaterial"), "BCRYPT_RSAKEY_BLOB", rsaKey);
    // the KeyID is SHA-256 of the key material, computed here independently from the key
    byte[] rsa1 = rsa1Blob(rsaKey);
    assertThat(d.get("keyMaterial").get("length").asInt()).isEqualTo(rsa1.length);
    assertThat(d.get("keyId").asText()).isEqualTo(
        HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(rsa1)));
  }

  @Test
  void encodeHexWithSourceUsageAndBracedGuid() throws Exception {
    Path pem = writePem("k.pem", "PUBLIC KEY", rsaKey.getEncoded());
    CliRunner.Result r = new CliRunner().run("kcl", "encode", "--public-key", pem.toString(),
        "--device-id", "{B85E4A28-61A1-D342-9F4E-CE42458D5ABE}", "--created", "2023-01-02T03:04:05+02:00",
        "--source", "azure-ad", "--usage", "stk", "--hex");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).matches("0002000020000[0-9A-F]+\n");
    JsonNode d = decodeJson(r.out().strip());
    assertThat(d.get("source").asText()).isEqualTo("AZURE_AD");
    assertThat(d.get("sourceCode").asInt()).isEqualTo(1);
    assertThat(d.get("usage").asText()).isEqualTo("STK");
    assertThat(d.get("deviceId").asText()).isEqualTo("b85e4a28-61a1-d342-9f4e-ce42458d5abe");
    assertThat(d.get("creationTime").asText()).isEqualTo("2023-01-02T01:04:05.0000000Z");
    assertThat(d.get("ownerDn").isNull()).isTrue();
    assertRsaMaterial(d.get("keyMaterial"), "BCRYPT_RSAKEY_BLOB", rsaKey);
  }

  @Test
  void encodeP256KeyAndPkcs1PemFromStdin() throws Exception {
    Path pem = writePem("ec.pem", "PUBLIC KEY", ecKey.getEncoded());
    CliRunner.Result r = new CliRunner().run("kcl", "encode", "--public-key", pem.toString(),
        "--created", "2024-05-01T12:00:00Z", "--hex");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode m = decodeJson(r.out().strip()).get("keyMaterial");
    assertThat(m.get("algorithm").asText()).isEqualTo("EC");
    assertThat(m.get("curve").asText()).isEqualTo("P-256");
    assertThat(m.get("x").asText()).isEqualTo(unsigned(ecKey.getW().getAffineX(), 32));
    assertThat(m.get("y").asText()).isEqualTo(unsigned(ecKey.getW().getAffineY(), 32));

    // RSA PUBLIC KEY (PKCS#1) on standard input
    String pkcs1Pem = pem("RSA PUBLIC KEY", pkcs1(rsaKey));
    CliRunner.Result s = new CliRunner().stdin(pkcs1Pem).run("kcl", "encode", "--public-key", "-",
        "--created", "2024-05-01T12:00:00Z", "--hex");
    assertThat(s.exitCode()).as(s.err()).isZero();
    assertRsaMaterial(decodeJson(s.out().strip()).get("keyMaterial"), "BCRYPT_RSAKEY_BLOB", rsaKey);
  }

  @Test
  void encodeComputerKeyIsTheValidatedWriteShape() throws Exception {
    Path pem = writePem("pc01.pem", "PUBLIC KEY", rsaKey.getEncoded());
    CliRunner.Result r = new CliRunner().run("kcl", "encode", "--public-key", pem.toString(), "--computer",
        "--created", "2026-01-15T08:00:00Z", "--hex");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode d = decodeJson(r.out().strip());
    assertThat(d.get("customKeyInformationHex").asText()).isEqualTo("0102");
    assertThat(d.get("lastLogonTime").isNull()).isTrue();
    assertThat(d.get("deviceId").isNull()).isTrue();
    assertThat(ints(d.get("entryIds"))).containsExactly(1, 2, 3, 4, 5, 7, 9);
    assertThat(d.get("usage").asText()).isEqualTo("NGC");
    assertThat(d.get("source").asText()).isEqualTo("AD");
    assertThat(d.get("creationTime").asText()).isEqualTo("2026-01-15T08:00:00.0000000Z");
    assertThat(d.get("keyIdMatchesKeyMaterial").asBoolean()).isTrue();
    assertThat(d.get("keyHashValid").asBoolean()).isTrue();
    assertRsaMaterial(d.get("keyMaterial"), "PKCS1_RSA_PUBLIC_KEY", rsaKey);
    assertThat(d.get("keyMaterial").get("length").asInt()).isEqualTo(pkcs1(rsaKey).length);

    // the same as DN-binary
    CliRunner.Result dn = new CliRunner().run("kcl", "encode", "--public-key", pem.toString(), "--computer",
        "--created", "2026-01-15T08:00:00Z", "--owner-dn", "CN=PC01,CN=Computers,DC=contoso,DC=com");
    assertThat(dn.exitCode()).as(dn.err()).isZero();
    assertThat(dn.out().strip()).isEqualTo("B:" + (r.out().strip().length()) + ":" + r.out().strip()
        + ":CN=PC01,CN=Computers,DC=contoso,DC=com");
  }

  @Test
  void encodeWithoutCreatedUsesNow() throws Exception {
    Path pem = writePem("k.pem", "PUBLIC KEY", rsaKey.getEncoded());
    java.time.Instant before = java.time.Instant.now();
    CliRunner.Result r = new CliRunner().run("kcl", "encode", "--public-key", pem.toString(), "--hex");
    java.time.Instant after = java.time.Instant.now();
    assertThat(r.exitCode()).as(r.err()).isZero();
    java.time.Instant created = java.time.Instant.parse(decodeJson(r.out().strip()).get("creationTime").asText());
    assertThat(created).isBetween(before.minusMillis(1), after.plusMillis(1));
  }

  static Stream<Arguments> badEncodeArguments() {
    return Stream.of(
        Arguments.of(List.of("--device-id", "not-a-guid"), "is not a GUID"),
        Arguments.of(List.of("--device-id", "47f577e3-d2d0-4a0a-8aca-e0501098bde"), "is not a GUID"),
        Arguments.of(List.of("--device-id", "{47f577e3-d2d0-4a0a-8aca-e0501098bde4"), "is not a GUID"),
        Arguments.of(List.of("--created", "yesterday"), "is not an ISO-8601 instant"),
        Arguments.of(List.of("--created", "2024-05-01T12:00:00"), "is not an ISO-8601 instant"),
        Arguments.of(List.of("--source", "LDAP"), "is not a key source"),
        Arguments.of(List.of("--usage", "LOGIN"), "is not a key usage"),
        Arguments.of(List.of("--owner-dn", "not a dn"), "is not usable"),
        Arguments.of(List.of("--hex", "--owner-dn", "CN=x"), "--hex prints the blob alone"),
        Arguments.of(List.of(), "needs the owner DN"),
        Arguments.of(List.of("--computer", "--device-id", "47f577e3-d2d0-4a0a-8aca-e0501098bde4", "--hex"),
            "leave out --device-id"),
        Arguments.of(List.of("--computer", "--source", "AZURE_AD", "--hex"), "leave out --usage and --source"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEncodeArguments")
  void badEncodeOptionsExitTwoWithAClearMessage(List<String> options, String message) throws Exception {
    Path pem = writePem("k.pem", "PUBLIC KEY", rsaKey.getEncoded());
    List<String> args = new ArrayList<>(List.of("kcl", "encode", "--public-key", pem.toString()));
    args.addAll(options);
    CliRunner.Result r = new CliRunner().run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("keytrust: ").contains(message).endsWith("[KT-0001]\n");
  }

  static Stream<Arguments> badPems() {
    String begin = "-----BEGIN PUBLIC KEY-----\n";
    String end = "\n-----END PUBLIC KEY-----\n";
    return Stream.of(
        Arguments.of("no block", "just some text\n", "holds no PEM block"),
        Arguments.of("empty file", "", "holds no PEM block"),
        Arguments.of("private key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
            "holds a private key"),
        Arguments.of("bad base64", begin + "!!!not base64!!!" + end, "is not valid base64"),
        Arguments.of("not a key", begin + Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}) + end,
            "is not a SubjectPublicKeyInfo"),
        Arguments.of("unmatched END", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END CERTIFICATE-----\n",
            "holds no PEM block"),
        Arguments.of("other block", "-----BEGIN FOO-----\nMIIB\n-----END FOO-----\n", "holds a FOO block"),
        Arguments.of("bad certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "not a valid X.509 certificate"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPems")
  void badPemExitsTwoWithAClearMessage(String name, String content, String message) throws Exception {
    Path pem = dir.resolve("bad.pem");
    Files.writeString(pem, content, StandardCharsets.US_ASCII);
    CliRunner.Result r = new CliRunner().run("kcl", "encode", "--public-key", pem.toString(), "--hex");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("keytrust: --public-key ").contains(message).endsWith("]\n");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void unsupportedKeysAndMissingFilesExitTwo() throws Exception {
    Path missing = dir.resolve("missing.pem");
    CliRunner.Result r = new CliRunner().run("kcl", "encode", "--public-key", missing.toString(), "--hex");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("no such file");

    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    Path p384 = writePem("p384.pem", "PUBLIC KEY", ec.generateKeyPair().getPublic().getEncoded());
    CliRunner.Result e = new CliRunner().run("kcl", "encode", "--public-key", p384.toString(), "--hex");
    assertThat(e.exitCode()).as(e.err()).isEqualTo(2);
    assertThat(e.err()).contains("RSA or an EC P-256").endsWith("[KT-0403]\n");

    Path p256 = writePem("p256.pem", "PUBLIC KEY", ecKey.getEncoded());
    CliRunner.Result c = new CliRunner().run("kcl", "encode", "--public-key", p256.toString(), "--computer", "--hex");
    assertThat(c.exitCode()).as(c.err()).isEqualTo(2);
    assertThat(c.out()).isEmpty();

    CliRunner.Result noKey = new CliRunner().run("kcl", "encode", "--hex");
    assertThat(noKey.exitCode()).isEqualTo(2);
    assertThat(noKey.err()).contains("--public-key");
  }

  // ------------------------------------------------------------------ helpers

  private CliRunner.Result decode(Vector v, String form, String... options) throws Exception {
    String value;
    String stdin = "";
    switch (form) {
      case "hex" -> value = v.hex();
      case "hex-lower" -> value = v.hex().toLowerCase(Locale.ROOT);
      case "hex-spaced" -> value = spaced(v.hex());
      case "base64" -> value = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(v.hex()));
      case "base64url" -> value = Base64.getUrlEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(v.hex()));
      case "file" -> value = "@" + write("value.txt", wrap76(v.hex()) + "\n");
      case "stdin" -> {
        value = "-";
        stdin = Base64.getMimeEncoder().encodeToString(HexFormat.of().parseHex(v.hex())) + "\r\n";
      }
      case "dnBinary" -> value = v.dnBinary();
      case "dnBinary-file" -> value = "@" + write("dnb.txt", v.dnBinary() + "\n");
      case "dnBinary-stdin" -> {
        value = "-";
        stdin = "  " + v.dnBinary() + "\n";
      }
      default -> throw new IllegalArgumentException(form);
    }
    List<String> args = new ArrayList<>(List.of("kcl", "decode"));
    args.addAll(List.of(options));
    args.add(value);
    return new CliRunner().stdin(stdin).run(args.toArray(String[]::new));
  }

  private JsonNode decodeJson(String value) throws Exception {
    CliRunner.Result r = new CliRunner().run("kcl", "decode", "--json", value);
    assertThat(r.exitCode()).as(r.err()).isZero();
    return JSON.readTree(r.out());
  }

  private static Vector vector(String id) throws Exception {
    return vectors().stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow();
  }

  private Path write(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private Path writePem(String name, String type, byte[] der) throws Exception {
    return write(name, pem(type, der));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static String spaced(String hex) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < hex.length(); i += 2) {
      b.append(hex, i, i + 2).append(i % 32 == 30 ? "\n" : " ");
    }
    return b.toString();
  }

  private static String wrap76(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i += 76) {
      b.append(s, i, Math.min(s.length(), i + 76)).append('\n');
    }
    return b.toString();
  }

  private static Set<String> names(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out;
  }

  private static void assertMaterial(String id, JsonNode expected, JsonNode actual) throws Exception {
    assertThat(actual).as(id + " keyMaterial").isNotNull();
    assertThat(actual.isNull()).as(id + " keyMaterial present").isFalse();
    assertThat(MATERIAL_KEYS).as(id + " keyMaterial keys").containsAll(names(actual));
    Iterator<Map.Entry<String, JsonNode>> it = expected.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      assertThat(actual.has(f.getKey())).as(id + " keyMaterial." + f.getKey() + " printed").isTrue();
      assertSameJson(id + " keyMaterial." + f.getKey(), actual.get(f.getKey()), f.getValue());
    }
  }

  /** Compares JSON text, so 50 (int) equals 50 (long) and null equals null. */
  private static void assertSameJson(String what, JsonNode actual, JsonNode expected) throws Exception {
    assertThat(actual).as(what + " printed").isNotNull();
    assertThat(JSON.writeValueAsString(actual)).as(what).isEqualTo(JSON.writeValueAsString(expected));
  }

  private static void assertRsaMaterial(JsonNode m, String format, RSAPublicKey key) {
    assertThat(m.get("format").asText()).isEqualTo(format);
    assertThat(m.get("algorithm").asText()).isEqualTo("RSA");
    assertThat(m.get("keyBits").asInt()).isEqualTo(key.getModulus().bitLength());
    assertThat(m.get("exponent").asLong()).isEqualTo(key.getPublicExponent().longValueExact());
    assertThat(m.get("modulus").asText()).isEqualTo(unsigned(key.getModulus(), key.getModulus().bitLength() / 8));
  }

  private static String unsigned(BigInteger v, int length) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(b.length, length);
    System.arraycopy(b, b.length - copy, out, length - copy, copy);
    return HexFormat.of().withUpperCase().formatHex(out);
  }

  /** BCRYPT_RSAKEY_BLOB (RSA1) of a public key, written here from bcrypt.h, independent of the codec. */
  private static byte[] rsa1Blob(RSAPublicKey key) {
    byte[] e = key.getPublicExponent().toByteArray();
    int eStart = e[0] == 0 ? 1 : 0;
    int eLen = e.length - eStart;
    int bits = key.getModulus().bitLength();
    byte[] n = HexFormat.of().parseHex(unsigned(key.getModulus(), bits / 8));
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + eLen + n.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x31415352).putInt(bits).putInt(eLen).putInt(n.length).putInt(0).putInt(0);
    b.put(e, eStart, eLen).put(n);
    return b.array();
  }

  /** DER PKCS#1 RSAPublicKey, written here by hand. */
  private static byte[] pkcs1(RSAPublicKey key) {
    byte[] n = derInteger(key.getModulus());
    byte[] e = derInteger(key.getPublicExponent());
    byte[] body = new byte[n.length + e.length];
    System.arraycopy(n, 0, body, 0, n.length);
    System.arraycopy(e, 0, body, n.length, e.length);
    return tlv(0x30, body);
  }

  private static byte[] derInteger(BigInteger v) {
    return tlv(0x02, v.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(tag);
    if (value.length < 0x80) {
      out.write(value.length);
    } else if (value.length < 0x100) {
      out.write(0x81);
      out.write(value.length);
    } else {
      out.write(0x82);
      out.write(value.length >>> 8);
      out.write(value.length);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
