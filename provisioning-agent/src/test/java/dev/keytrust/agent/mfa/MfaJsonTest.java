package dev.keytrust.agent.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MfaJsonTest {

  private static Map<String, Object> parse(String s) throws MfaJson.Malformed {
    return MfaJson.parseObject(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTheProtocolsBodiesAndIgnoresNothingItParses() throws Exception {
    Map<String, Object> m = parse(" {\"id\" : \"a\\u00e9\\n\\\"\", \"n\": -1.5e3, \"ok\": true, \"x\": null,"
        + " \"list\": [1, {\"k\": false}], \"o\": {}} \n");
    assertThat(m.get("id")).isEqualTo("a\u00e9\n\"");
    assertThat(m.get("n")).isEqualTo("-1.5e3");
    assertThat(m.get("ok")).isEqualTo(Boolean.TRUE);
    assertThat(m.get("x")).isSameAs(MfaJson.NULL);
    assertThat(m.get("list")).isEqualTo(List.of("1", Map.of("k", false)));
    assertThat(m.get("o")).isEqualTo(Map.of());
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(strings = {"", "[]", "\"id\"", "{", "{\"id\":\"x\",}", "{\"id\":\"x\"} {}", "{'id':'x'}",
      "{\"id\":01}", "{\"id\":1.}", "{\"id\":+1}", "{\"id\":tru}", "{\"id\":\"a\nb\"}", "{\"id\":\"\\x\"}",
      "{\"a\":1,\"a\":2}", "{id:1}", "{\"id\" \"x\"}", "{\"id\":\"\\u12\"}"})
  void malformedBodiesAreRefusedWithAnOffsetOnly(String body) {
    assertThatThrownBy(() -> parse(body)).isInstanceOf(MfaJson.Malformed.class)
        .hasMessageContaining("at offset");
  }

  @Test
  void deepNestingAndBadUtf8AreRefused() {
    String deep = "{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}";
    assertThatThrownBy(() -> parse(deep)).hasMessageContaining("nested deeper");
    assertThatThrownBy(() -> MfaJson.parseObject(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}))
        .hasMessageContaining("not UTF-8");
  }

  @Test
  void quotingRoundTripsThroughAnIndependentReader() throws Exception {
    String tricky = "a\"b\\c\n\t\u0001\u2028 é 😀";
    String json = "{\"user\":" + MfaJson.quote(tricky) + "}";
    assertThat(new ObjectMapper().readTree(json).get("user").asText()).isEqualTo(tricky);
    assertThat(parse(json).get("user")).isEqualTo(tricky);
  }
}
