package dev.keytrust.agent.endpoint.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LdapEndpointProviderTest {
  @TempDir Path dir;

  private Path credentials() throws Exception {
    Path f = dir.resolve("ldap.cred");
    Files.writeString(f, "bind-dn=CN=svc,DC=example,DC=com\npassword=Qx7-unit\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @Test
  void isFoundByServiceLoaderForBothSchemes() {
    assertThat(KeyRegistrationEndpoints.providers())
        .filteredOn(p -> p instanceof LdapEndpointProvider)
        .singleElement()
        .satisfies(p -> assertThat(p.schemes()).containsExactlyInAnyOrder("ldap", "ldaps"));
  }

  @Test
  void opensWithoutContactingTheServer() throws Exception {
    EndpointSettings settings =
        new EndpointSettings(Map.of("credentials-file", credentials().toString()));

    // a TEST-NET-1 address that nothing answers: open reads the files only
    try (KeyRegistrationEndpoint endpoint = KeyRegistrationEndpoints.open(
        URI.create("ldaps://192.0.2.1/DC=example,DC=com"), settings)) {
      assertThat(endpoint.describe()).isEqualTo("ldaps://192.0.2.1:636/DC=example,DC=com");
    }
  }

  @Test
  void unknownSettingIsRefusedBeforeOpen() throws Exception {
    EndpointSettings settings = new EndpointSettings(
        Map.of("credentials-file", credentials().toString(), "cafile", "/ca.pem"));

    assertThatThrownBy(() -> KeyRegistrationEndpoints.open(
        URI.create("ldaps://dc1.example.com/DC=example,DC=com"), settings))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(CoreErrorCode.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("cafile").contains("ca-file");
        });
  }

  @Test
  void missingOrEmptyCaFileIsReportedAtOpen() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.pem"));
    for (Path ca : new Path[] {dir.resolve("absent.pem"), empty}) {
      EndpointSettings settings = new EndpointSettings(
          Map.of("credentials-file", credentials().toString(), "ca-file", ca.toString()));

      assertThatThrownBy(() -> new LdapEndpointProvider().open(
          URI.create("ldaps://dc1.example.com/DC=example,DC=com"), settings))
          .isInstanceOfSatisfying(KeytrustException.class, e -> {
            assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_CA_FILE);
            assertThat(e.code().badInput()).isTrue();
            assertThat(e.getMessage()).contains(ca.toString());
          });
    }
  }
}
