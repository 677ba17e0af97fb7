package dev.keytrust.agent.endpoint.drs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The KPP request URIs built from the configured base. */
class DrsUrisTest {

  @ParameterizedTest
  @CsvSource({
    "https://drs.example.com, https://drs.example.com/EnrollmentServer/key/",
    "https://drs.example.com/, https://drs.example.com/EnrollmentServer/key/",
    "https://drs.example.com:8443, https://drs.example.com:8443/EnrollmentServer/key/",
    "HTTPS://drs.example.com/adfs, https://drs.example.com/adfs/EnrollmentServer/key/",
    "https://drs.example.com/adfs/, https://drs.example.com/adfs/EnrollmentServer/key/",
    // discovery's KeyProvisionEndpoint is used as it is
    "https://enterpriseregistration.windows.net/EnrollmentServer/key/,"
        + " https://enterpriseregistration.windows.net/EnrollmentServer/key/",
    "https://sts.contoso.com/enrollmentserver/KEY, https://sts.contoso.com/enrollmentserver/KEY/",
    "https://127.0.0.1:4443, https://127.0.0.1:4443/EnrollmentServer/key/",
    "https://[::1]:4443, https://[::1]:4443/EnrollmentServer/key/",
    "http://127.0.0.1:8080/x, http://127.0.0.1:8080/x/EnrollmentServer/key/",
  })
  void keyEndpoint(String base, String expected) {
    assertThat(DrsUris.of(URI.create(base)).keyEndpoint()).isEqualTo(URI.create(expected));
  }

  @Test
  void register_addsTheApiVersion() {
    assertThat(DrsUris.of(URI.create("https://drs.example.com")).register())
        .isEqualTo(URI.create("https://drs.example.com/EnrollmentServer/key/?api-version=1.0"));
  }

  @Test
  void pathPrefixWithEscapes_isKeptAsItIs() {
    assertThat(DrsUris.of(URI.create("https://h.example/a%20b")).register().toString())
        .isEqualTo("https://h.example/a%20b/EnrollmentServer/key/?api-version=1.0");
  }

  @Test
  void unregister_putsTheKeyIdAsUnpaddedBase64Url() {
    byte[] keyId = new byte[32];
    for (int i = 0; i < keyId.length; i++) {
      keyId[i] = (byte) (0xF8 + i); // yields '-' and '_' in Base64url, '+' and '/' in Base64
    }
    String segment = DrsUris.keyIdSegment(keyId);
    assertThat(segment).hasSize(43).doesNotContain("=", "+", "/").contains("-");
    assertThat(Base64.getUrlDecoder().decode(segment)).isEqualTo(keyId);
    assertThat(DrsUris.of(URI.create("https://drs.example.com")).unregister(keyId))
        .isEqualTo(
            URI.create(
                "https://drs.example.com/EnrollmentServer/key/" + segment + "?api-version=1.0"));
  }
}
