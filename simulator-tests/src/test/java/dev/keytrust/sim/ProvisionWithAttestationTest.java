package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.webauthn4j.data.RegistrationRequest;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.AttestationStatus;
import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.attest.AttestationKeyStore;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.LabAttestationRoutes;
import dev.keytrust.lab.LabCertificates;
import dev.keytrust.lab.LabKeyService;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provisioning with the DRS endpoint setting {@code attest=required|preferred} against the lab key
 * service with its attestation CA: the TPM key is certified by an attestation key activated
 * through the swtpm's EK certificate, and the service records the registration as attested; a
 * software key is registered but says plainly it cannot be attested (refused with {@code required}).
 */
class ProvisionWithAttestationTest {
  @RegisterExtension static final AttestationLabExtension LAB = new AttestationLabExtension();

  @TempDir Path dir;
  LabCertificates certs;
  LabKeyService service;
  LabAttestationRoutes routes;
  Path tokenFile;

  @BeforeAll
  static void freeTheTpm() {
    LAB.closeSession(); // the flow opens the TPM itself; swtpm serves one client
  }

  @BeforeEach
  void start() throws Exception {
    certs = LabCertificates.create(dir.resolve("pki"));
    service = LabKeyService.start(certs);
    routes = service.enableAttestation(LAB.ca());
    tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, service.issueToken(FlowTestKit.USER, UUID.fromString(FlowTestKit.DEVICE_ID)));
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
  }

  @AfterEach
  void stop() {
    service.close();
  }

  KeyRegistrationEndpoint endpoint(String attest) throws KeytrustException {
    return KeyRegistrationEndpoints.open(service.baseUri(), new EndpointSettings(Map.of(
        "token-file", tokenFile.toString(), "ca-file", certs.caFile().toString(), "attest", attest)));
  }

  ProvisioningFlow flow(Path store, TpmUri tpm, KeyRegistrationEndpoint endpoint) throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    return ProvisioningFlow.builder()
        .store(new KeyContainerStore(store))
        .keys(FlowTestKit.keys(store))
        .tpm(tpm)
        .algorithm(KeyAlgorithm.RSA_2048)
        .policies(FlowTestKit.policy(Files.createDirectories(dir.resolve("policy")),
            "RequireSecurityDevice=false"))
        .device(FlowTestKit.device())
        .mfa(FlowTestKit.mfa(new AtomicInteger()))
        .pins(FlowTestKit.ScriptedPins.always(FlowTestKit.PIN))
        .pinHistories(user -> PinHistory.forUser(state, user, new dev.keytrust.key.Argon2Parameters(64, 1, 1),
            Clock.systemUTC()))
        .endpoint(endpoint)
        .build();
  }

  @Test
  void attestRequiredProvisionsAnAttestedTpmKeyAndTheServiceRecordsIt() throws Exception {
    Path store = dir.resolve("store");
    try (KeyRegistrationEndpoint endpoint = endpoint("required")) {
      flow(store, TpmUri.parse(LAB.swtpm().tpmUri()), endpoint).run(FlowTestKit.USER);
    }
    KeyContainerStore keys = new KeyContainerStore(store);
    KeyContainer key = keys.load(FlowTestKit.USER);
    assertThat(routes.attestation(key.keyId())).hasValueSatisfying(a -> {
      assertThat(a.upn()).isEqualToIgnoringCase(FlowTestKit.USER);
      assertThat(a.ekIssuer()).isEqualTo("CN=swtpm-localca");
      assertThat(a.aikIssuer()).contains("keytrust lab attestation CA");
    });
    AttestationStatus status = AttestationStatus.read(keys, FlowTestKit.USER).orElseThrow();
    assertThat(status.attested()).isTrue();
    assertThat(status.summary()).startsWith("yes (AIK issued by ").contains("EK from CN=swtpm-localca");
    // the attestation key stays with the user for later certifications
    assertThat(new AttestationKeyStore(keys).find(FlowTestKit.USER)).isPresent();
  }

  @Test
  void keytrustKeyAttestPrintsAWebAuthnStatementWebauthn4jAcceptsAndStatusSaysAttested() throws Exception {
    Path store = dir.resolve("store-cli");
    try (KeyRegistrationEndpoint endpoint = endpoint("preferred")) {
      flow(store, TpmUri.parse(LAB.swtpm().tpmUri()), endpoint).run(FlowTestKit.USER);
    }
    String challengeHex = "00112233445566778899aabbccddeeff";
    KeytrustJar.Run r = KeytrustJar.run(FlowTestKit.PIN + "\n", "key", "attest", "--user", FlowTestKit.USER,
        "--format", "webauthn", "--rp-id", WebAuthnTpmAttestationOnSwtpmTest.RP_ID, "--challenge", challengeHex,
        "--tpm", LAB.swtpm().tpmUri(), "--store", store.toString(), "--pin-stdin", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("fmt").asText()).isEqualTo("tpm");
    byte[] object = Base64.getUrlDecoder().decode(j.get("attestationObject").asText());
    byte[] clientData = Base64.getUrlDecoder().decode(j.get("clientDataJSON").asText());
    WebAuthnTpmAttestationOnSwtpmTest.verifier(LAB.ca().certificate()).verify(
        new RegistrationRequest(object, clientData),
        WebAuthnTpmAttestationOnSwtpmTest.parameters(HexFormat.of().parseHex(challengeHex)));

    KeytrustJar.Run status = KeytrustJar.run("", "status", "--user", FlowTestKit.USER, "--tpm",
        LAB.swtpm().tpmUri(), "--store", store.toString());
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out().replaceAll("\\s+", " ")).contains("Attested : yes (AIK issued by O=keytrust lab,CN=keytrust"
        + " lab attestation CA, EK from CN=swtpm-localca)");
  }

  @Test
  void keytrustKeyAttestRefusesASoftwareKeyBeforeAskingForThePin() throws Exception {
    Path store = dir.resolve("store-cli-soft");
    try (KeyRegistrationEndpoint endpoint = endpoint("preferred")) {
      flow(store, TpmUri.parse(TpmUri.SOFTWARE), endpoint).run(FlowTestKit.USER);
    }
    KeytrustJar.Run r = KeytrustJar.run("", "key", "attest", "--user", FlowTestKit.USER, "--format", "webauthn",
        "--rp-id", "login.keytrust.test", "--challenge", "00", "--store", store.toString(), "--pin-stdin");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("KT-0605").contains("software key and cannot be attested");
    KeytrustJar.Run status = KeytrustJar.run("", "status", "--user", FlowTestKit.USER, "--store", store.toString());
    assertThat(status.out()).contains("no: a software key cannot be attested");
  }

  @Test
  void attestPreferredWithASoftwareKeyRegistersItAndSaysWhyItIsNotAttested() throws Exception {
    Path store = dir.resolve("store-soft");
    try (KeyRegistrationEndpoint endpoint = endpoint("preferred")) {
      flow(store, TpmUri.parse(TpmUri.SOFTWARE), endpoint).run(FlowTestKit.USER);
    }
    KeyContainerStore keys = new KeyContainerStore(store);
    assertThat(service.registrations()).hasSize(1);
    assertThat(routes.attestation(keys.load(FlowTestKit.USER).keyId())).isEmpty();
    assertThat(AttestationStatus.read(keys, FlowTestKit.USER).orElseThrow().summary())
        .isEqualTo("no: a software key cannot be attested: its private key is not in a TPM");
  }

  @Test
  void attestRequiredWithASoftwareKeyFailsWithKt1511AfterRegistering() throws Exception {
    Path store = dir.resolve("store-soft-required");
    try (KeyRegistrationEndpoint endpoint = endpoint("required")) {
      ProvisioningFlow flow = flow(store, TpmUri.parse(TpmUri.SOFTWARE), endpoint);
      assertThatThrownBy(() -> flow.run(FlowTestKit.USER))
          .isInstanceOfSatisfying(KeytrustException.class, e -> {
            assertThat(e.code()).isEqualTo(AgentErrorCode.FLOW_ATTESTATION_REQUIRED);
            assertThat(e.getMessage()).contains("software key cannot be attested");
          });
    }
    assertThat(service.registrations()).hasSize(1);
    assertThat(AttestationStatus.read(new KeyContainerStore(store), FlowTestKit.USER).orElseThrow().attested())
        .isFalse();
  }
}
