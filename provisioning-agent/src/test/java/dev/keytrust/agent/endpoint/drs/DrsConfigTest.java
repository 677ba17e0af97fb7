package dev.keytrust.agent.endpoint.drs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpointProvider;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** URI and settings checks of the DRS endpoint (no network). */
class DrsConfigTest {
  private static final Function<String, String> NO_ENV = name -> null;

  private static DrsConfig parse(String uri, String... settings) throws AgentException {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < settings.length; i += 2) {
      values.put(settings[i], settings[i + 1]);
    }
    return DrsConfig.parse(URI.create(uri), new EndpointSettings(values), NO_ENV);
  }

  @Test
  void defaults() throws Exception {
    DrsConfig c = parse("https://drs.example.com", "token-env", "KT_TOKEN");
    assertThat(c.describe()).isEqualTo("https://drs.example.com/EnrollmentServer/key/");
    assertThat(c.plainHttp()).isFalse();
    assertThat(c.caFile()).isNull();
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.retry().maxAttempts()).isEqualTo(4);
    assertThat(c.retry().maxRetryTime()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.token()).isInstanceOf(TokenSource.FromEnvironment.class);
  }

  @Test
  void everySetting() throws Exception {
    DrsConfig c =
        parse(
            "https://drs.example.com:8443/adfs",
            "token-file", "tok",
            "ca-file", "ca.pem",
            "connect-timeout", "500ms",
            "request-timeout", "7",
            "max-attempts", "1",
            "max-retry-time", "0");
    assertThat(c.token()).isEqualTo(new TokenSource.FromFile(Path.of("tok").toAbsolutePath()));
    assertThat(c.caFile()).isEqualTo(Path.of("ca.pem").toAbsolutePath());
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.retry().maxAttempts()).isEqualTo(1);
    assertThat(c.retry().maxRetryTime()).isZero();
  }

  @Test
  void tokenCommand_isSplitAtSpaces_noShell() throws Exception {
    DrsConfig c = parse("https://drs.example.com", "token-command", " /usr/bin/get-token  --resource urn:ms-drs:x ");
    assertThat(((TokenSource.FromCommand) c.token()).command())
        .containsExactly("/usr/bin/get-token", "--resource", "urn:ms-drs:x");
  }

  @Test
  void noTokenSetting_orSeveral_isRefused() {
    assertThatThrownBy(() -> parse("https://drs.example.com"))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("needs an access token")
        .hasMessageContaining("token-file")
        .satisfies(e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.DRS_ENDPOINT_CONFIG));
    assertThatThrownBy(() -> parse("https://drs.example.com", "token-env", "A", "token-file", "f"))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("give only one");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://drs.example.com",
        "drs.example.com",
        "https:drs.example.com",
        "https:///path",
        "https://drs.example.com/?api-version=1.0",
        "https://drs.example.com/#x",
      })
  void malformedUris_areRefusedAsBadInput(String uri) {
    assertThatThrownBy(() -> parse(uri, "token-env", "T"))
        .isInstanceOf(AgentException.class)
        .satisfies(e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.DRS_ENDPOINT_CONFIG))
        .satisfies(e -> assertThat(((AgentException) e).code().badInput()).isTrue());
  }

  @Test
  void userInfo_isRefusedWithoutQuotingIt() {
    assertThatThrownBy(() -> parse("https://alice:s3cretPw@drs.example.com", "token-env", "T"))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("credentials do not belong in the URI")
        .message()
        .doesNotContain("s3cretPw");
  }

  @Test
  void plainHttp_needsLoopbackLiteralAndTheSetting() throws Exception {
    assertThat(parse("http://127.0.0.1:8080", "token-env", "T", "allow-plain-http", "true").plainHttp())
        .isTrue();
    assertThat(parse("http://[::1]:8080", "token-env", "T", "allow-plain-http", "TRUE").plainHttp())
        .isTrue();
    assertThatThrownBy(() -> parse("http://127.0.0.1:8080", "token-env", "T"))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("Refusing plain http://");
    assertThatThrownBy(
            () -> parse("http://drs.example.com", "token-env", "T", "allow-plain-http", "true"))
        .hasMessageContaining("Refusing plain http://");
    // a name is not proof of loopback
    assertThatThrownBy(() -> parse("http://localhost:8080", "token-env", "T", "allow-plain-http", "true"))
        .hasMessageContaining("Refusing plain http://");
    assertThatThrownBy(
            () -> parse("http://127.0.0.1:8080", "token-env", "T", "allow-plain-http", "true",
                "ca-file", "ca.pem"))
        .hasMessageContaining("only used with https");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "connect-timeout=0", "connect-timeout=-1", "connect-timeout=1m", "connect-timeout=601s",
        "request-timeout=abc", "max-attempts=0", "max-attempts=11", "max-attempts=two",
        "max-retry-time=700", "allow-plain-http=yes", "token-env=1BAD", "token-env=A-B",
        "token-file= ",
      })
  void badSettingValues_areRefused(String setting) {
    String[] kv = setting.split("=", 2);
    String[] args =
        kv[0].startsWith("token-")
            ? new String[] {kv[0], kv[1]}
            : new String[] {"token-env", "T", kv[0], kv[1]};
    assertThatThrownBy(() -> parse("https://drs.example.com", args))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining(kv[0])
        .satisfies(e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.DRS_ENDPOINT_CONFIG));
  }

  @Test
  void provider_isFoundByServiceLoader_forHttpsAndHttp_andUnknownSettingsAreRefused() {
    assertThat(KeyRegistrationEndpoints.providers())
        .filteredOn(p -> p instanceof DrsEndpointProvider)
        .singleElement()
        .satisfies(p -> assertThat(p.schemes()).containsExactlyInAnyOrder("https", "http"));
    KeyRegistrationEndpointProvider p = new DrsEndpointProvider();
    assertThat(p.settingNames())
        .containsExactlyInAnyOrder(
            "token-file", "token-env", "token-command", "ca-file", "connect-timeout",
            "request-timeout", "max-attempts", "max-retry-time", "allow-plain-http", "attest");
    assertThatThrownBy(
            () ->
                KeyRegistrationEndpoints.open(
                    URI.create("https://drs.example.com"),
                    new EndpointSettings(Map.of("token-env", "T", "max-atempts", "3"))))
        .isInstanceOf(KeytrustException.class)
        .hasMessageContaining("max-atempts");
  }
}
