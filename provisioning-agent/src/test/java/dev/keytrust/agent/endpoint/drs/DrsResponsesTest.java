package dev.keytrust.agent.endpoint.drs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.endpoint.drs.DrsResponses.MalformedResponseException;
import dev.keytrust.agent.endpoint.drs.DrsResponses.Receipt;
import dev.keytrust.agent.endpoint.drs.DrsResponses.ServerError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** KPP receipts and the three error body shapes. */
class DrsResponsesTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void receipt_withAndWithoutPctx() throws Exception {
    assertThat(
            DrsResponses.parseReceipt(
                utf8("{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"upn\":\"alice@contoso.com\"}")))
        .isEqualTo(new Receipt("0ce67455-8ea1-4523-be5f-bfd09190fad6", "alice@contoso.com", null));
    assertThat(
            DrsResponses.parseReceipt(
                utf8("{\"kid\":\"0CE67455-8EA1-4523-BE5F-BFD09190FAD6\",\"upn\":\"a@b\","
                    + "\"pctx\":\"MIIBAg==\",\"extra\":[1]}")))
        .isEqualTo(new Receipt("0CE67455-8EA1-4523-BE5F-BFD09190FAD6", "a@b", "MIIBAg=="));
    assertThat(
            DrsResponses.parseReceipt(
                utf8("{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"upn\":\"a@b\",\"pctx\":null}")).pctx())
        .isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[]",
        "\"kid\"",
        "{}",
        "{\"upn\":\"a@b\"}",
        "{\"kid\":\"not-a-guid\",\"upn\":\"a@b\"}",
        "{\"kid\":7,\"upn\":\"a@b\"}",
        "{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\"}",
        "{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"upn\":\" \"}",
        "{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"upn\":\"a\\nb\"}",
        "{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"upn\":\"a@b\",\"pctx\":5}",
        "{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"upn\":\"a@b\",\"pctx\":\"!!\"}",
        "<html>502 Bad Gateway</html>",
      })
  void receipt_malformed(String body) {
    assertThatThrownBy(() -> DrsResponses.parseReceipt(utf8(body)))
        .isInstanceOf(MalformedResponseException.class);
  }

  @Test
  void receipt_tooLarge() {
    String big = "{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"upn\":\"a@b\",\"x\":\""
        + "a".repeat(DrsResponses.MAX_BODY) + "\"}";
    assertThatThrownBy(() -> DrsResponses.parseReceipt(utf8(big)))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void errors_kppErrorDetails_entraWrapper_oauth() {
    assertThat(
            DrsResponses.parseError(
                utf8("{\"code\":\"invalid_request\",\"message\":\"kngc is not an RSA key\","
                    + "\"response\":\"ERROR_FAIL\",\"target\":\"kngc\",\"time\":\"t\","
                    + "\"innererror\":{\"trace\":\"x\",\"context\":\"y\"}}")))
        .contains(new ServerError("invalid_request", "kngc is not an RSA key"));
    assertThat(DrsResponses.parseError(utf8("{\"error\":{\"code\":\"internal_server_error\",\"message\":\"m\"}}")))
        .contains(new ServerError("internal_server_error", "m"));
    assertThat(DrsResponses.parseError(utf8("{\"error\":\"invalid_token\",\"error_description\":\"expired\"}")))
        .contains(new ServerError("invalid_token", "expired"));
    assertThat(DrsResponses.parseError(utf8("{\"message\":\"only a message\"}")))
        .contains(new ServerError(null, "only a message"));
    assertThat(DrsResponses.parseError(utf8("{\"other\":1}"))).isEmpty();
    assertThat(DrsResponses.parseError(utf8("Service Unavailable"))).isEmpty();
    assertThat(DrsResponses.parseError(new byte[0])).isEmpty();
  }

  @Test
  void quote_sanitizesShortensAndRedactsTheToken() {
    BearerToken token = BearerToken.of("abc.def.ghi");
    ServerError e =
        new ServerError("bad\u0007code", "line1\r\nline2 token abc.def.ghi " + "x".repeat(500));
    String quoted = e.quote(token);
    assertThat(quoted)
        .startsWith("the server said error 'bad code': line1 line2 token <token> x")
        .doesNotContain("abc.def.ghi")
        .doesNotContain("\n")
        .endsWith("...");
    assertThat(quoted.length()).isLessThan(DrsResponses.MAX_QUOTED * 2 + 50);
  }
}
