package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.endpoint.ListedKey;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.LabCertificates;
import dev.keytrust.lab.LabKeyService;
import dev.keytrust.lab.TestKeys;
import dev.keytrust.lab.faults.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keytrust's key listing extension of the DRS-style key service (issue 16 item 17): {@code GET
 * /EnrollmentServer/key/} on the lab service lists the token user's keys, and the agent's DRS endpoint
 * reads them as {@link ListedKey}s that {@code unregister} removes; a service without it is KT-1620.
 */
class DrsListingOnLabServiceTest {
  static final String ALICE = "alice@keytrust.lab";
  static final String BOB = "bob@keytrust.lab";

  @TempDir Path dir;
  LabCertificates certs;
  LabKeyService service;
  UUID device = UUID.randomUUID();

  @BeforeEach
  void start() throws Exception {
    certs = LabCertificates.create(dir.resolve("pki"));
    service = LabKeyService.start(certs);
  }

  @AfterEach
  void stop() {
    service.close();
  }

  KeyRegistrationEndpoint open(String upn, UUID deviceId) throws Exception {
    Path token = dir.resolve(upn + ".token");
    Files.writeString(token, service.issueToken(upn, deviceId) + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    return KeyRegistrationEndpoints.open(service.baseUri(), new EndpointSettings(Map.of("token-file",
        token.toString(), "ca-file", certs.caFile().toString(), "request-timeout", "5s", "max-attempts", "1")));
  }

  @Test
  void listsTheTokenUsersKeysOnlyAndTheyCanBeRemoved() throws Exception {
    KeyRegistration a0 = TestKeys.registration(ALICE, 0, device);
    KeyRegistration a1 = TestKeys.registration(ALICE, 1, device);
    try (KeyRegistrationEndpoint alice = open(ALICE, device); KeyRegistrationEndpoint bob = open(BOB, device)) {
      alice.register(a0);
      alice.register(a1);
      bob.register(TestKeys.registration(BOB, 2, device));

      List<ListedKey> listed = alice.list(ALICE, null);
      assertThat(listed).extracting(ListedKey::keyIdHex).containsExactly(a0.keyIdHex(), a1.keyIdHex());
      ListedKey first = listed.get(0);
      assertThat(first.deviceId()).isEqualTo(device);
      assertThat(first.source()).isEqualTo("key service");
      assertThat(first.serverId()).isEqualTo(service.registration(a0.keyId()).orElseThrow().kid().toString());
      assertThat(first.created()).isNotNull();
      assertThat(first.keyMaterial()).isEqualTo(a0.keyMaterial());
      assertThat(first.endpoint()).isEqualTo(alice.describe());

      alice.unregister(first.asRegistration(ALICE, null));
      assertThat(alice.list(ALICE, null)).extracting(ListedKey::keyIdHex).containsExactly(a1.keyIdHex());
      assertThat(bob.list(BOB, null)).hasSize(1);
    }
    assertThat(service.requests()).anySatisfy(r -> {
      assertThat(r.method()).isEqualTo("GET");
      assertThat(r.query()).isEqualTo("api-version=1.0");
      assertThat(r.status()).isEqualTo(200);
    });
  }

  @Test
  void aServiceWithoutTheListingIsKt1620() throws Exception {
    try (KeyRegistrationEndpoint alice = open(ALICE, device)) {
      for (int status : new int[] {404, 405, 501}) {
        service.injectFaults(Fault.kppError(status, "not_supported", "No listing here."));
        assertThatThrownBy(() -> alice.list(ALICE, null))
            .isInstanceOfSatisfying(KeytrustException.class, e -> {
              assertThat(e.code()).isEqualTo(AgentErrorCode.ENDPOINT_LIST_UNSUPPORTED);
              assertThat(e.getMessage()).contains("HTTP " + status).contains("keytrust's key listing");
            });
      }
    }
  }

  @Test
  void aListingThatIsNotOneIsMalformedAndAnotherUsersIsRefused() throws Exception {
    try (KeyRegistrationEndpoint alice = open(ALICE, device)) {
      service.injectFaults(Fault.status(200, "{\"value\":[{\"kid\":\"x\"}]}"));
      assertThatThrownBy(() -> alice.list(ALICE, null)).isInstanceOfSatisfying(KeytrustException.class,
          e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_RESPONSE_MALFORMED));
      String other = "{\"value\":[{\"kid\":\"0ce67455-8ea1-4523-be5f-bfd09190fad6\",\"upn\":\"" + BOB + "\","
          + "\"keyIdentifier\":\"" + TestKeys.registration(BOB, 0, device).keyIdBase64() + "\"}]}";
      service.injectFaults(Fault.status(200, other));
      assertThatThrownBy(() -> alice.list(ALICE, null)).isInstanceOfSatisfying(KeytrustException.class,
          e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DRS_USER_MISMATCH));
    }
  }
}
