package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void writesNestedObjectsAndArraysInOrderWithIndentation() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("b", true);
    inner.put("n", null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", "first");
    m.put("a", 42);
    m.put("big", 1L << 40);
    m.put("list", List.of("x", 2));
    m.put("inner", inner);
    m.put("empty", Map.of());
    m.put("none", List.of());

    assertThat(Json.write(m)).isEqualTo("""
        {
          "z": "first",
          "a": 42,
          "big": 1099511627776,
          "list": [
            "x",
            2
          ],
          "inner": {
            "b": true,
            "n": null
          },
          "empty": {},
          "none": []
        }""");
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    assertThat(Json.write("a\"b\\c/d")).isEqualTo("\"a\\\"b\\\\c/d\"");
    assertThat(Json.write("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
    assertThat(Json.write("\u0000\u001f\u007f")).isEqualTo("\"\\u0000\\u001f\\u007f\"");
  }

  @Test
  void writesNonAsciiAsUnicodeEscapesSoAnyTerminalEncodingKeepsIt() {
    // é, the line separator U+2028, and U+1F511 (a key) as a surrogate pair
    assertThat(Json.write("é\u2028\uD83D\uDD11")).isEqualTo("\"\\u00e9\\u2028\\ud83d\\udd11\"");
  }

  @Test
  void pemKeepsItsLineBreaksEscaped() {
    String pem = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";
    assertThat(Json.write(Map.of("publicKeyPem", pem)))
        .isEqualTo("{\n  \"publicKeyPem\": \"-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----\\n\"\n}");
  }

  @Test
  void nullElementsInArraysAreWritten() {
    List<Object> list = new ArrayList<>(Arrays.asList("a", null));
    assertThat(Json.write(list)).isEqualTo("[\n  \"a\",\n  null\n]");
  }

  @Test
  void rejectsValuesThatAreNotJson() {
    assertThatThrownBy(() -> Json.write(1.5d)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Json.write(Map.of(1, "x"))).isInstanceOf(IllegalArgumentException.class);
  }
}
