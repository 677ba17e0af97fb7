package dev.keytrust.agent.endpoint.drs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.endpoint.drs.StrictJson.MalformedJsonException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The strict, bounded JSON reader for server answers (RFC 8259). */
class DrsStrictJsonTest {

  private static Object parse(String json) throws MalformedJsonException {
    return StrictJson.parse(json.getBytes(StandardCharsets.UTF_8), 1 << 16, 16);
  }

  @Test
  void readsAllValueKindsInOrder() throws Exception {
    Object v =
        parse(" {\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"n\":-12.5e2,\"z\":0,"
            + "\"ok\":true,\"no\":false,\"nil\":null,\"list\":[1,[],{}],\"s\":\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\"}\r\n");
    assertThat(v).isInstanceOf(Map.class);
    Map<?, ?> m = (Map<?, ?>) v;
    assertThat(m.keySet().stream().map(Object::toString).toList()).containsExactly("kid", "n", "z", "ok", "no", "nil", "list", "s");
    assertThat(m.get("n")).isEqualTo(new BigDecimal("-12.5e2"));
    assertThat(m.get("z")).isEqualTo(BigDecimal.ZERO);
    assertThat(m.get("ok")).isEqualTo(true);
    assertThat(m.get("no")).isEqualTo(false);
    assertThat(m.get("nil")).isSameAs(StrictJson.NULL);
    assertThat((List<?>) m.get("list")).hasSize(3);
    assertThat(m.get("s")).isEqualTo("a\"\\/\b\f\n\r\t");
  }

  @Test
  void unicodeEscapesAndRawUtf8_includingSurrogatePairs() throws Exception {
    assertThat(parse("\"\\u00e9\\uD83D\\uDE00\"")).isEqualTo("é\uD83D\uDE00");
    assertThat(parse("\"é😀\"")).isEqualTo("é😀");
  }

  @Test
  void resultIsUnmodifiable() throws Exception {
    Map<?, ?> m = (Map<?, ?>) parse("{\"a\":[1]}");
    assertThatThrownBy(m::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(((List<?>) m.get("a"))::clear).isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "{",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "\"unterminated",
        "\"tab\there\"",
        "\"bad \\x escape\"",
        "\"\\u12\"",
        "\"\\uD83D\"",
        "\"\\uDE00\"",
        "\"\\uD83D\\u0041\"",
        "01",
        "-",
        "1.",
        ".5",
        "+1",
        "1e",
        "NaN",
        "Infinity",
        "tru",
        "nul",
        "{} {}",
        "{}x",
        "// comment\n{}",
        "{\"a\":1,\"a\":2}",
        "1e9999999999",
      })
  void refusesWhatTheGrammarDoesNotAllow(String json) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(MalformedJsonException.class)
        .hasMessageContaining("at character");
  }

  @Test
  void refusesInvalidUtf8AndAByteOrderMark() {
    byte[] invalid = {'"', (byte) 0xC3, (byte) 0x28, '"'};
    assertThatThrownBy(() -> StrictJson.parse(invalid, 100, 4))
        .isInstanceOf(MalformedJsonException.class)
        .hasMessageContaining("UTF-8");
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
    assertThatThrownBy(() -> StrictJson.parse(bom, 100, 4)).isInstanceOf(MalformedJsonException.class);
  }

  @Test
  void sizeLimit_isCheckedBeforeParsing() {
    byte[] json = "{\"a\":\"0123456789\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StrictJson.parse(json, json.length - 1, 4))
        .isInstanceOf(MalformedJsonException.class)
        .hasMessageContaining("more than the limit of " + (json.length - 1));
  }

  @Test
  void depthLimit_countsObjectsAndArrays() throws Exception {
    String ok = "[".repeat(4) + "]".repeat(4);
    assertThat(StrictJson.parse(ok.getBytes(StandardCharsets.UTF_8), 100, 4)).isInstanceOf(List.class);
    String deep = "[{\"a\":[[" + "]]}]";
    assertThatThrownBy(() -> StrictJson.parse(deep.getBytes(StandardCharsets.UTF_8), 100, 3))
        .isInstanceOf(MalformedJsonException.class)
        .hasMessageContaining("nested deeper than 3");
    // no stack overflow on hostile nesting
    String hostile = "[".repeat(100_000);
    assertThatThrownBy(() -> StrictJson.parse(hostile.getBytes(StandardCharsets.UTF_8), 1 << 20, 16))
        .isInstanceOf(MalformedJsonException.class)
        .hasMessageContaining("nested deeper than 16");
  }

  @Test
  void errorMessages_neverQuoteTheInput() {
    String secretish = "{\"token\":\"eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2ln\",}";
    assertThatThrownBy(() -> parse(secretish))
        .isInstanceOf(MalformedJsonException.class)
        .message()
        .doesNotContain("eyJ")
        .doesNotContain("token");
  }
}
