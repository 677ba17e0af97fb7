package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.error.CoreErrorCode;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every vector of keycredentiallink.json, every expect field, byte-exact round trips. */
class KeyCredentialVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The expect fields this test knows how to check; any other name fails the test. */
  private static final Set<String> BLOB_FIELDS = Set.of(
      "version", "keyId", "keyHash", "keyHashValid", "keyIdMatchesKeyMaterial", "usageCode",
      "sourceCode", "deviceId", "customKeyInformationHex", "creationTime", "lastLogonTime",
      "entryIds", "keyMaterial");

  record Vector(String id, JsonNode input, JsonNode expect) {
    @Override
    public String toString() {
      return id;
    }

    byte[] hex() {
      return input.has("hex") ? HexFormat.of().parseHex(input.get("hex").asText()) : null;
    }

    String dnBinary() {
      return input.has("dnBinary") ? input.get("dnBinary").asText() : null;
    }
  }

  static List<Vector> vectors() throws Exception {
    try (InputStream in = KeyCredentialVectorsTest.class.getResourceAsStream("/vectors/keycredentiallink.json")) {
      JsonNode root = JSON.readTree(in);
      List<Vector> out = new ArrayList<>();
      for (JsonNode v : root.get("vectors")) {
        out.add(new Vector(v.get("id").asText(), v.get("input"), v.get("expect")));
      }
      return out;
    }
  }

  static Stream<Vector> valid() throws Exception {
    return vectors().stream().filter(v -> !v.expect().get("error").asBoolean());
  }

  static Stream<Vector> invalid() throws Exception {
    return vectors().stream().filter(v -> v.expect().get("error").asBoolean());
  }

  @Test
  void theFileHoldsAllThirtyTwoVectors() throws Exception {
    assertThat(vectors()).hasSize(32);
    assertThat(invalid()).hasSize(4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void decodesEveryExpectedField(Vector v) throws Exception {
    byte[] blob = v.hex();
    if (v.dnBinary() != null) {
      DnBinary dnb = DnBinary.parse(v.dnBinary());
      assertThat(dnb.binary()).as("DN-Binary binary = hex").isEqualTo(blob);
      assertThat(dnb.dn()).isEqualTo(v.expect().get("ownerDn").asText());
      assertThat(dnb.format()).isEqualTo(v.dnBinary());
    } else {
      assertThat(v.expect().has("ownerDn")).as("ownerDn needs a dnBinary input").isFalse();
    }

    KeyCredential kc = KeyCredential.parse(blob);
    JsonNode actual = JSON.valueToTree(KcDecode.fields(kc));
    Iterator<Map.Entry<String, JsonNode>> it = v.expect().fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      if (name.equals("error") || name.equals("ownerDn")) {
        continue;
      }
      if (!BLOB_FIELDS.contains(name)) {
        fail("expect field %s of %s is not checked by this test", name, v.id());
      }
      if (name.equals("keyMaterial")) {
        assertMaterial(v.id(), f.getValue(), actual.get("keyMaterial"));
      } else {
        assertSame(v.id() + " " + name, actual.get(name), f.getValue());
      }
    }

    assertThat(kc.toByteArray()).as("round trip").isEqualTo(blob);
    assertThat(kc.roundTripIdentical()).isTrue();
    assertThat(kc.toDnBinary("CN=x").binary()).isEqualTo(blob);
  }

  private static void assertMaterial(String id, JsonNode expected, JsonNode actual) throws Exception {
    assertThat(actual).as(id + " keyMaterial present").isNotNull();
    assertThat(actual.isNull()).as(id + " keyMaterial present").isFalse();
    Iterator<Map.Entry<String, JsonNode>> it = expected.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      assertThat(actual.has(f.getKey())).as(id + " keyMaterial." + f.getKey() + " decoded").isTrue();
      assertSame(id + " keyMaterial." + f.getKey(), actual.get(f.getKey()), f.getValue());
    }
  }

  /** Compares JSON text, so 50 (int) equals 50 (long) and null equals null. */
  private static void assertSame(String what, JsonNode actual, JsonNode expected) throws Exception {
    assertThat(JSON.writeValueAsString(actual)).as(what).isEqualTo(JSON.writeValueAsString(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsMalformedInputWithAnOffset(Vector v) {
    assertThat(v.hex() != null || v.dnBinary() != null).isTrue();
    if (v.hex() != null) {
      byte[] blob = v.hex();
      assertThatThrownBy(() -> KeyCredential.parse(blob))
          .isInstanceOfSatisfying(KeyCredentialFormatException.class, e -> {
            assertThat(e.code()).isEqualTo(CoreErrorCode.KEY_CREDENTIAL_MALFORMED);
            assertThat(e.code().badInput()).isTrue();
            assertThat(e.offset()).isBetween(0, blob.length);
            assertThat(e.getMessage()).contains("byte " + e.offset());
          });
    }
    if (v.dnBinary() != null) {
      String s = v.dnBinary();
      assertThatThrownBy(() -> KeyCredential.parse(DnBinary.parse(s).binary()))
          .isInstanceOfSatisfying(KeyCredentialFormatException.class, e -> {
            assertThat(e.code().badInput()).isTrue();
            assertThat(e.offset()).isBetween(0, s.length());
          });
    }
  }

  @Test
  void truncatedTimestampIsReportedAtItsEntry() {
    // manticore "truncated last logon timestamp": KeySource at 4, a 4-byte LastLogon entry at 8
    byte[] blob = HexFormat.of().parseHex("000200000100050104000800000000");
    assertThatThrownBy(() -> KeyCredential.parse(blob))
        .isInstanceOfSatisfying(KeyCredentialFormatException.class, e -> {
          assertThat(e.offset()).isEqualTo(8);
          assertThat(e.getMessage()).contains("KEY_APPROXIMATE_LAST_LOGON_TIMESTAMP").contains("must have 8");
        });
  }

  @Test
  void dnBinaryErrorsPointAtTheCharacter() {
    // DSInternals DNWithBinary_MalformedInput: empty hex part after "B:828:"
    assertThatThrownBy(() -> DnBinary.parse("B:828::CN = Admin,CN=Users,DC=contoso,DC=com"))
        .isInstanceOfSatisfying(KeyCredentialFormatException.class,
            e -> assertThat(e.offset()).isEqualTo(6));
  }
}
