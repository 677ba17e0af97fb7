package dev.keytrust.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * keytrust's one strict, bounded JSON reader (RFC 8259). The cases of the three readers it replaced
 * (the KeyCredentialLink codec's, the DRS endpoint's and push MFA's) are all here.
 */
class StrictJsonTest {
  private static final int MAX_BYTES = 64 * 1024;
  private static final int MAX_DEPTH = 16;

  private static Object parse(String json) throws JsonException {
    return StrictJson.parse(json.getBytes(StandardCharsets.UTF_8), MAX_BYTES, MAX_DEPTH);
  }

  private static Map<String, Object> parseObject(String json) throws JsonException {
    return StrictJson.parseObject(json.getBytes(StandardCharsets.UTF_8), MAX_BYTES, MAX_DEPTH);
  }

  @Test
  void readsAllValueKinds() throws Exception {
    Object v = parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\u00e9\\n\\ud83d\\ude00\\/\"}} ");

    Map<?, ?> m = (Map<?, ?>) v;
    List<?> a = (List<?>) m.get("a");
    assertThat(a.get(0)).isEqualTo(new BigDecimal("1"));
    assertThat(a.get(1)).isEqualTo(new BigDecimal("-2.5e3"));
    assertThat(List.copyOf(a.subList(2, 4))).isEqualTo(List.of(true, false));
    assertThat(a.get(4)).isSameAs(StrictJson.NULL);
    assertThat(((Map<?, ?>) m.get("b")).get("c")).isEqualTo("x\u00e9\n\ud83d\ude00/");
    assertThat(parse("[]")).isEqualTo(List.of());
    assertThat(parse("{}")).isEqualTo(Map.of());
    assertThat(parse("\"\u00fcml\u00e4ut\"")).isEqualTo("\u00fcml\u00e4ut");
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
  void readsAnObjectBody() throws Exception {
    Map<String, Object> m = parseObject(" {\"id\" : \"a\\u00e9\\n\\\"\", \"n\": -1.5e3, \"ok\": true, \"x\": null,"
        + " \"list\": [1, {\"k\": false}], \"o\": {}} \n");
    assertThat(m.get("id")).isEqualTo("a\u00e9\n\"");
    assertThat(m.get("n")).isEqualTo(new BigDecimal("-1.5e3"));
    assertThat(m.get("ok")).isEqualTo(Boolean.TRUE);
    assertThat(m.get("x")).isSameAs(StrictJson.NULL);
    assertThat(m.get("list")).isEqualTo(List.of(BigDecimal.ONE, Map.of("k", false)));
    assertThat(m.get("o")).isEqualTo(Map.of());
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
        "", " ", "{", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{a:1}", "{'a':1}",
        "\"unterminated", "\"tab\there\"", "\"\\x\"", "\"bad \\x escape\"", "\"\\u12\"", "\"\\uD83D\"",
        "\"\\uDE00\"", "\"\\uD83D\\u0041\"", "01", "-", "1.", ".5", "+1", "1e", "NaN", "Infinity", "tru",
        "nul", "1 2", "{} {}", "{}x", "// comment\n{}", "// c\n1", "/* c */ 1", "{\"a\":1,\"a\":2}",
        "1e9999999999", "[1e99999999999999999999]", "\u00a01",
      })
  void refusesWhatTheGrammarDoesNotAllow(String json) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("at byte");
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(strings = {"", "[]", "\"id\"", "{", "{\"id\":\"x\",}", "{\"id\":\"x\"} {}", "{'id':'x'}",
      "{\"id\":01}", "{\"id\":1.}", "{\"id\":+1}", "{\"id\":tru}", "{\"id\":\"a\nb\"}", "{\"id\":\"\\x\"}",
      "{\"a\":1,\"a\":2}", "{id:1}", "{\"id\" \"x\"}", "{\"id\":\"\\u12\"}"})
  void parseObject_refusesMalformedBodiesAndOtherValues(String body) {
    assertThatThrownBy(() -> parseObject(body))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("at byte");
  }

  @Test
  void parseObject_refusesAnotherValueBeforeReadingIt() {
    JsonException e = catchThrowableOfType(() -> parseObject("  [" + "[".repeat(100) + "x"), JsonException.class);
    assertThat(e.problem()).isEqualTo("a JSON object was expected");
    assertThat(e.offset()).isEqualTo(2);
  }

  @Test
  void refusesInvalidUtf8AndAByteOrderMark_withTheByteOffset() {
    byte[] invalid = {'"', (byte) 0xC3, (byte) 0x28, '"'};
    JsonException e = catchThrowableOfType(() -> StrictJson.parse(invalid, 100, 4), JsonException.class);
    assertThat(e).hasMessageContaining("UTF-8");
    assertThat(e.offset()).isEqualTo(1);
    assertThatThrownBy(() -> StrictJson.parseObject(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, 100, 4))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("not valid UTF-8");
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
    assertThatThrownBy(() -> StrictJson.parse(bom, 100, 4)).isInstanceOf(JsonException.class);
  }

  @Test
  void offsetsCountBytes_andPointAtTheProblem() {
    // "é" is two bytes and "😀" four: the second "é" member name starts at character 7, byte 8
    JsonException dup = catchThrowableOfType(() -> parse("{\"é\":1,\"é\":2}"), JsonException.class);
    assertThat(dup.offset()).isEqualTo(8);
    assertThat(dup).hasMessageEndingWith("(at byte 8)");
    assertThat(dup.problem()).contains("duplicate member name");
    JsonException after = catchThrowableOfType(() -> parse("[\"😀\"] x"), JsonException.class);
    assertThat(after.offset()).isEqualTo(9);
    assertThat(after.problem()).isEqualTo("unexpected content after the value");
  }

  @Test
  void sizeLimit_isCheckedBeforeParsing() {
    byte[] json = "{\"a\":\"0123456789\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StrictJson.parse(json, json.length - 1, 4))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("larger than " + (json.length - 1) + " bytes, the limit");
    assertThatThrownBy(() -> StrictJson.parse(new byte[MAX_BYTES + 1], MAX_BYTES, MAX_DEPTH))
        .hasMessageContaining("limit");
  }

  @Test
  void depthLimit_countsObjectsAndArrays() throws Exception {
    String deepOk = "[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH);
    String tooDeep = "[".repeat(MAX_DEPTH + 1) + "]".repeat(MAX_DEPTH + 1);
    assertThat(parse(deepOk)).isInstanceOf(List.class);
    assertThatThrownBy(() -> parse(tooDeep)).hasMessageContaining("nested deeper than " + MAX_DEPTH);

    String ok = "[".repeat(4) + "]".repeat(4);
    assertThat(StrictJson.parse(ok.getBytes(StandardCharsets.UTF_8), 100, 4)).isInstanceOf(List.class);
    String deep = "[{\"a\":[[" + "]]}]";
    assertThatThrownBy(() -> StrictJson.parse(deep.getBytes(StandardCharsets.UTF_8), 100, 3))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("nested deeper than 3");
    String deepBody = "{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}";
    assertThatThrownBy(() -> parseObject(deepBody)).hasMessageContaining("nested deeper");
  }

  @Test
  void hostileNesting_isRefusedWithoutAStackOverflow() {
    String hostile = "[".repeat(100_000);
    assertThatThrownBy(() -> StrictJson.parse(hostile.getBytes(StandardCharsets.UTF_8), 1 << 20, 16))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("nested deeper than 16");
    assertThatThrownBy(() -> parse("[" + "[".repeat(60_000))).isInstanceOf(JsonException.class);
  }

  @Test
  void numberLength_isLimited() throws Exception {
    assertThat(parse("1".repeat(StrictJson.MAX_NUMBER_CHARS))).isInstanceOf(BigDecimal.class);
    assertThatThrownBy(() -> parse("1".repeat(StrictJson.MAX_NUMBER_CHARS + 1)))
        .isInstanceOf(JsonException.class)
        .hasMessageContaining("longer than " + StrictJson.MAX_NUMBER_CHARS);
  }

  @Test
  void errorMessages_neverQuoteTheInput() {
    String secretish = "{\"token\":\"eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2ln\",}";
    assertThatThrownBy(() -> parse(secretish))
        .isInstanceOf(JsonException.class)
        .message()
        .doesNotContain("eyJ")
        .doesNotContain("token");
    assertThatThrownBy(() -> parse("{\"secret\":1,\"secret\":2}")).message().doesNotContain("secret");
    assertThatThrownBy(() -> parse("[Q]")).message().doesNotContain("Q");
    assertThatThrownBy(() -> parse("\"\\Q\"")).message().doesNotContain("Q");
  }

  @Test
  void quotingRoundTripsThroughAnIndependentReaderAndThisOne() throws Exception {
    String tricky = "a\"b\\c\n\t\u0001\u2028 é 😀";
    String json = "{\"user\":" + StrictJson.quote(tricky) + "}";
    assertThat(new ObjectMapper().readTree(json).get("user").asText()).isEqualTo(tricky);
    assertThat(parseObject(json).get("user")).isEqualTo(tricky);
  }
}
