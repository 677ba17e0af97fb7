package dev.keytrust.agent.endpoint.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LdapEndpointConfigTest {

  private static EndpointSettings settings(String... pairs) {
    Map<String, String> map = new HashMap<>();
    map.put("credentials-file", "/etc/keytrust/ldap.cred");
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] == null) {
        map.remove(pairs[i]);
      } else {
        map.put(pairs[i], pairs[i + 1]);
      }
    }
    return new EndpointSettings(map);
  }

  private static LdapEndpointConfig parse(String uri, String... pairs) throws AgentException {
    return LdapEndpointConfig.parse(URI.create(uri), settings(pairs));
  }

  private static KeytrustException refused(String uri, String... pairs) {
    try {
      parse(uri, pairs);
    } catch (AgentException e) {
      return e;
    }
    throw new AssertionError("accepted " + uri);
  }

  @Test
  void ldapsWithDefaultsAndBaseDnFromThePath() throws Exception {
    LdapEndpointConfig c = parse("ldaps://dc1.example.com/DC=example,DC=com", "ca-file", "/ca.pem");

    assertThat(c.tls()).isTrue();
    assertThat(c.host()).isEqualTo("dc1.example.com");
    assertThat(c.port()).isEqualTo(636);
    assertThat(c.baseDn().toString()).isEqualTo("DC=example,DC=com");
    assertThat(c.credentialsFile()).isEqualTo(Path.of("/etc/keytrust/ldap.cred"));
    assertThat(c.caFile()).isEqualTo(Path.of("/ca.pem"));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.responseTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.describe()).isEqualTo("ldaps://dc1.example.com:636/DC=example,DC=com");
  }

  @Test
  void caFileIsOptionalForLdaps() throws Exception {
    assertThat(parse("ldaps://dc1.example.com/DC=example,DC=com").caFile()).isNull();
  }

  @Test
  void explicitPortPercentEncodedDnAndIpv6Literal() throws Exception {
    LdapEndpointConfig c =
        parse("LDAPS://[::1]:10636/OU=Hello%20Users,DC=example,DC=com");

    assertThat(c.host()).isEqualTo("::1");
    assertThat(c.port()).isEqualTo(10636);
    assertThat(c.baseDn().toString()).isEqualTo("OU=Hello Users,DC=example,DC=com");
    assertThat(c.describe()).isEqualTo("ldaps://[::1]:10636/OU=Hello Users,DC=example,DC=com");
  }

  @Test
  void plainLdapToLoopbackUsesPort389() throws Exception {
    LdapEndpointConfig c = parse("ldap://127.0.0.1/DC=keytrust,DC=lab");

    assertThat(c.tls()).isFalse();
    assertThat(c.port()).isEqualTo(389);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LocalHost", "127.0.0.1", "127.8.9.10", "[::1]"})
  void plainLdapIsAllowedToLoopback(String host) throws Exception {
    assertThat(parse("ldap://" + host + ":3890/DC=keytrust,DC=lab").tls()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dc1.example.com", "10.0.0.5", "127.0.0.1.example.com", "[2001:db8::1]"})
  void plainLdapToOtherHostsIsRefused(String host) {
    KeytrustException e = refused("ldap://" + host + "/DC=example,DC=com");

    assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_ENDPOINT_CONFIG);
    assertThat(e.code().badInput()).isTrue();
    assertThat(e.getMessage())
        .contains("Refusing plain ldap://")
        .contains("in clear")
        .contains("ldaps://")
        .contains("allow-plain-ldap=true");
  }

  @Test
  void plainLdapToOtherHostsWhenExplicitlyAllowed() throws Exception {
    assertThat(parse("ldap://dc1.example.com/DC=example,DC=com", "allow-plain-ldap", "TRUE")
        .tls()).isFalse();
    assertThat(refused("ldap://dc1.example.com/DC=example,DC=com", "allow-plain-ldap", "false")
        .getMessage()).contains("Refusing plain ldap://");
    assertThat(refused("ldap://dc1.example.com/DC=example,DC=com", "allow-plain-ldap", "yes")
        .getMessage()).contains("allow-plain-ldap='yes'").contains("true or false");
  }

  @Test
  void caFileWithPlainLdapIsRefused() {
    assertThat(refused("ldap://127.0.0.1/DC=keytrust,DC=lab", "ca-file", "/ca.pem").getMessage())
        .contains("ca-file is only used with ldaps://");
  }

  @Test
  void credentialsInTheUriAreRefusedWithoutRepeatingThem() {
    KeytrustException e = refused("ldaps://admin:S3cret-pw@dc1.example.com/DC=example,DC=com");

    assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_ENDPOINT_CONFIG);
    assertThat(e.getMessage()).contains("credentials-file").doesNotContain("S3cret-pw")
        .doesNotContain("admin");
  }

  @Test
  void schemeHostBaseDnQueryAndFragmentAreChecked() {
    assertThat(refused("https://dc1.example.com/DC=example,DC=com").getMessage())
        .contains("scheme must be ldaps");
    assertThat(refused("ldaps:dc1.example.com").getMessage()).contains("host[:port]/<base DN>");
    assertThat(refused("ldaps:///DC=example,DC=com").getMessage()).contains("host name");
    assertThat(refused("ldaps://dc1.example.com").getMessage()).contains("base DN is missing");
    assertThat(refused("ldaps://dc1.example.com/").getMessage()).contains("base DN is missing");
    assertThat(refused("ldaps://dc1.example.com/not-a-dn").getMessage())
        .contains("'not-a-dn'").contains("not a valid DN");
    assertThat(refused("ldaps://dc1.example.com/DC=example,DC=com?cn?sub?(cn=x)").getMessage())
        .contains("filter");
    assertThat(refused("ldaps://dc1.example.com/DC=example,DC=com#x").getMessage())
        .contains("filter");
  }

  @Test
  void credentialsFileIsRequired() {
    KeytrustException e =
        refused("ldaps://dc1.example.com/DC=example,DC=com", "credentials-file", null);

    assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_ENDPOINT_CONFIG);
    assertThat(e.getMessage()).contains("credentials-file=<file>").contains("bind-dn=")
        .contains("password=");
    assertThat(refused("ldaps://dc1.example.com/DC=example,DC=com", "credentials-file", " ")
        .getMessage()).contains("a file path");
  }

  @Test
  void timeouts() throws Exception {
    String uri = "ldaps://dc1.example.com/DC=example,DC=com";
    assertThat(parse(uri, "connect-timeout", "3s").connectTimeout()).hasSeconds(3);
    assertThat(parse(uri, "connect-timeout", "750ms").connectTimeout()).hasMillis(750);
    assertThat(parse(uri, "response-timeout", "45").responseTimeout()).hasSeconds(45);
    assertThat(parse(uri, "response-timeout", "600s").responseTimeout()).hasMinutes(10);

    for (String bad : new String[] {"0", "0ms", "601s", "10 min", "-1s", "1.5s", ""}) {
      KeytrustException e = refused(uri, "connect-timeout", bad);
      assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_ENDPOINT_CONFIG);
      assertThat(e.getMessage()).contains("connect-timeout='" + bad + "'");
    }
  }

  @Test
  void domainRootIsTheTrailingDcPart() throws Exception {
    assertThat(parse("ldaps://h/OU=Staff,OU=Hello,DC=example,DC=com").domainRoot().toString())
        .isEqualTo("DC=example,DC=com");
    assertThat(parse("ldaps://h/DC=keytrust,DC=lab").domainRoot().toString())
        .isEqualTo("DC=keytrust,DC=lab");
    assertThat(parse("ldaps://h/O=Example,C=DE").domainRoot().toString())
        .isEqualTo("O=Example,C=DE");
  }

  @Test
  void loopbackDecisionDoesNotResolveNames() {
    assertThat(LdapEndpointConfig.isLoopback("127.0.0.1")).isTrue();
    assertThat(LdapEndpointConfig.isLoopback("::1")).isTrue();
    assertThat(LdapEndpointConfig.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(LdapEndpointConfig.isLoopback("localhost")).isTrue();
    assertThat(LdapEndpointConfig.isLoopback("ip6-localhost")).isFalse();
    assertThat(LdapEndpointConfig.isLoopback("192.168.1.1")).isFalse();
    assertThat(LdapEndpointConfig.isLoopback("127.0.0.1.nip.io")).isFalse();
  }
}
