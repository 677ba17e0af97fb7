package dev.keytrust.agent.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoint setting {@code attest=required|preferred|off}. */
class AttestationModeTest {

  @Test
  void theSettingIsReadCaseInsensitivelyAndDefaultsToOff() {
    assertThat(AttestationMode.of(EndpointSettings.none())).isEqualTo(AttestationMode.OFF);
    assertThat(AttestationMode.of(new EndpointSettings(Map.of("attest", " Required ")))).isEqualTo(AttestationMode.REQUIRED);
    assertThat(AttestationMode.of(new EndpointSettings(Map.of("attest", "preferred")))).isEqualTo(AttestationMode.PREFERRED);
    assertThat(AttestationMode.of(new EndpointSettings(Map.of("attest", "off")))).isEqualTo(AttestationMode.OFF);
    assertThatThrownBy(() -> AttestationMode.of(new EndpointSettings(Map.of("attest", "sometimes"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attest=sometimes");
  }

  @Test
  void theDrsEndpointRefusesAnotherValueAsBadInputBeforeAnyRequest() {
    assertThatThrownBy(() -> KeyRegistrationEndpoints.open(URI.create("https://keys.example.com"),
        new EndpointSettings(Map.of("attest", "sometimes", "token-env", "KT_TOKEN_FOR_THIS_TEST"))))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_ENDPOINT_CONFIG);
          assertThat(e.code().badInput()).isTrue();
          assertThat(e.getMessage()).contains("attest=sometimes").contains("required, preferred or off");
        });
  }

  @Test
  void endpointsWithoutTheSettingOfferNoAttestation() throws Exception {
    KeyRegistrationEndpoint plain = new KeyRegistrationEndpoint() {
      @Override
      public RegistrationReceipt register(KeyRegistration registration) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void unregister(KeyRegistration registration) {}

      @Override
      public String describe() {
        return "plain";
      }

      @Override
      public void close() {}
    };
    assertThat(plain.attestation()).isEmpty();
  }
}
