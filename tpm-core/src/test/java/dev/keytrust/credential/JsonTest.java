package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The strict package-private JSON reader. */
class JsonTest {

  private static Object parse(String s) throws StructureException {
    return Json.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsAllValueKinds() throws Exception {
    Object v = parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\u00e9\\n\\ud83d\\ude00\\/\"}} ");

    Map<?, ?> m = (Map<?, ?>) v;
    List<?> a = (List<?>) m.get("a");
    assertThat(a.get(0)).isEqualTo(new BigDecimal("1"));
    assertThat(a.get(1)).isEqualTo(new BigDecimal("-2.5e3"));
    assertThat(List.copyOf(a.subList(2, 4))).isEqualTo(List.of(true, false));
    assertThat(a.get(4)).isSameAs(Json.NULL);
    assertThat(((Map<?, ?>) m.get("b")).get("c")).isEqualTo("x\u00e9\n\ud83d\ude00/");
    assertThat(parse("[]")).isEqualTo(List.of());
    assertThat(parse("{}")).isEqualTo(Map.of());
    assertThat(parse("\"\u00fcml\u00e4ut\"")).isEqualTo("\u00fcml\u00e4ut");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "NaN",
    "tru", "nul", "[1 2]", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "\"unterminated", "\"tab\there\"",
    "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "// c\n1", "/* c */ 1",
    "1 2", "{\"a\":1,\"a\":2}", "[1e99999999999999999999]", "\u00a01",
  })
  void rejectsWhatRfc8259Rejects(String text) {
    assertThatThrownBy(() -> parse(text)).isInstanceOf(StructureException.class);
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] bad = {'"', (byte) 0xC3, (byte) 0x28, '"'};

    assertThatThrownBy(() -> Json.parse(bad)).hasMessageContaining("UTF-8");
  }

  @Test
  void limitsDepthSizeAndNumberLength() throws Exception {
    String deepOk = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);

    assertThat(parse(deepOk)).isInstanceOf(List.class);
    assertThatThrownBy(() -> parse(tooDeep)).hasMessageContaining("nesting");
    assertThatThrownBy(() -> parse("[" + "[".repeat(100_000))).isInstanceOf(StructureException.class);
    assertThatThrownBy(() -> Json.parse(new byte[Json.MAX_BYTES + 1])).hasMessageContaining("limit");
    assertThatThrownBy(() -> parse("1".repeat(Json.MAX_NUMBER_CHARS + 1))).hasMessageContaining("longer");
    assertThat(parse("1".repeat(Json.MAX_NUMBER_CHARS))).isInstanceOf(BigDecimal.class);
  }
}
