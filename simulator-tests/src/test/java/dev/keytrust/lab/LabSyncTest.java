package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.credential.CustomKeyInformation;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.credential.KeySource;
import dev.keytrust.credential.KeyUsage;
import dev.keytrust.credential.TimestampEncoding;
import dev.keytrust.lab.LabSync.Cycle;
import dev.keytrust.lab.keyservice.RegisteredKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sync job against the real lab key service (keys registered over HTTPS by keytrust's own
 * endpoint) and the real lab directory.
 */
class LabSyncTest {
  private static final String ALICE = "alice@keytrust.lab";
  private static final String BOB = "bob@keytrust.lab";

  @TempDir Path dir;
  private LabCertificates certs;
  private LabKeyService service;
  private LabDirectory directory;
  private String aliceDn;
  private final UUID device = UUID.randomUUID();

  @BeforeEach
  void start() {
    certs = LabCertificates.create(dir.resolve("pki"));
    service = LabKeyService.start(certs);
    directory = LabDirectory.start();
    aliceDn = directory.addUser("Alice", ALICE, "alice");
  }

  @AfterEach
  void stop() {
    service.close();
    directory.close();
  }

  private KeyRegistrationEndpoint endpoint(String upn) throws Exception {
    Path token = dir.resolve("token-" + upn);
    Files.writeString(token, service.issueToken(upn, device));
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    return KeyRegistrationEndpoints.open(service.baseUri(), new EndpointSettings(Map.of(
        "token-file", token.toString(), "ca-file", certs.caFile().toString())));
  }

  private KeyRegistration register(String upn, int key) throws Exception {
    KeyRegistration r = TestKeys.registration(upn, key, device);
    try (KeyRegistrationEndpoint e = endpoint(upn)) {
      e.register(r);
    }
    return r;
  }

  private void unregister(KeyRegistration r) throws Exception {
    try (KeyRegistrationEndpoint e = endpoint(r.userPrincipalName())) {
      e.unregister(r);
    }
  }

  private static KeyCredential parse(String value) throws Exception {
    return KeyCredential.parse(DnBinary.parse(value).binary());
  }

  @Test
  void aCycleWritesTheRegisteredKeyAsAnAzureAdValueOnTheUser() throws Exception {
    KeyRegistration r = register(ALICE, 0);
    RegisteredKey registered = service.registrations().get(0);

    try (LabSync sync = LabSync.manual(service, directory)) {
      assertThat(directory.keyCredentialLinks(aliceDn)).isEmpty(); // not before a cycle
      Cycle c = sync.runOnce();
      assertThat(c.added()).isEqualTo(1);
      assertThat(c.removed()).isZero();
      assertThat(c.usersNotFound()).isEmpty();
      assertThat(sync.lastCycle()).hasValue(c);
    }

    List<String> values = directory.keyCredentialLinks(aliceDn);
    assertThat(values).hasSize(1);
    DnBinary dnBinary = DnBinary.parse(values.get(0));
    assertThat(dnBinary.dn()).isEqualTo(aliceDn);
    assertThat(values.get(0)).isEqualTo(dnBinary.format()); // upper-case hex, 2 x bytes
    KeyCredential kc = KeyCredential.parse(dnBinary.binary());
    assertThat(kc.version()).isEqualTo(KeyCredential.VERSION_2);
    assertThat(kc.usage()).hasValue(KeyUsage.NGC);
    assertThat(kc.source()).hasValue(KeySource.AZURE_AD);
    assertThat(kc.deviceId()).hasValue(device);
    assertThat(kc.keyId()).hasValueSatisfying(id -> assertThat(id).isEqualTo(r.keyId()));
    assertThat(kc.keyIdMatchesKeyMaterial()).hasValue(true);
    assertThat(kc.keyHashValid()).hasValue(true);
    assertThat(kc.keyMaterial().orElseThrow().encoded()).isEqualTo(r.keyMaterial());
    assertThat(kc.timestampEncoding()).isEqualTo(TimestampEncoding.DOTNET_TO_BINARY);
    assertThat(kc.creationTime())
        .hasValue(Instant.ofEpochSecond(registered.registeredAt().getEpochSecond(),
            registered.registeredAt().getNano() / 100 * 100)); // 100-ns ticks
    assertThat(kc.lastLogonTime()).isEmpty();
    CustomKeyInformation cki = kc.customKeyInformation().orElseThrow();
    assertThat(cki.length()).isEqualTo(15);
    assertThat(cki.version()).hasValue(1);
    assertThat(cki.flags()).hasValue(0);
    assertThat(cki.keyStrength()).hasValue(2);
    assertThat(kc.entryIds()).containsExactly(1, 2, 3, 4, 5, 6, 7, 9);
    assertThat(kc.roundTripIdentical()).isTrue();
  }

  @Test
  void cyclesAreIdempotent() throws Exception {
    register(ALICE, 0);
    try (LabSync sync = LabSync.manual(service, directory)) {
      sync.runOnce();
      List<String> after = directory.keyCredentialLinks(aliceDn);

      Cycle again = sync.runOnce();

      assertThat(again.added()).isZero();
      assertThat(again.removed()).isZero();
      assertThat(again.unchanged()).isEqualTo(1);
      assertThat(directory.keyCredentialLinks(aliceDn)).isEqualTo(after);
    }
  }

  @Test
  void anEqualValueAlreadyThereIsNotAddedAgainEvenInLowerCaseHex() throws Exception {
    register(ALICE, 0);
    String value = LabSync.value(service.registrations().get(0), aliceDn);
    String[] parts = value.split(":", 4);
    directory.addKeyCredentialLink(aliceDn, parts[0] + ":" + parts[1] + ":"
        + parts[2].toLowerCase() + ":" + parts[3]);

    try (LabSync sync = LabSync.manual(service, directory)) {
      Cycle c = sync.runOnce();
      assertThat(c.added()).isZero();
      assertThat(c.unchanged()).isEqualTo(1);
    }
    assertThat(directory.keyCredentialLinks(aliceDn)).hasSize(1);
  }

  @Test
  void aRemovedKeyLeavesTheDirectoryAtTheNextCycle() throws Exception {
    KeyRegistration first = register(ALICE, 0);
    register(ALICE, 1);
    try (LabSync sync = LabSync.manual(service, directory)) {
      assertThat(sync.runOnce().added()).isEqualTo(2);

      unregister(first);
      assertThat(directory.keyCredentialLinks(aliceDn)).hasSize(2); // until the cycle
      Cycle c = sync.runOnce();

      assertThat(c.removed()).isEqualTo(1);
      assertThat(c.unchanged()).isEqualTo(1);
    }
    assertThat(directory.keyCredentialLinks(aliceDn)).singleElement()
        .satisfies(v -> assertThat(parse(v).keyId().orElseThrow())
            .isEqualTo(service.registrations().get(0).keyId()));
  }

  @Test
  void valuesWithKeySourceAdAndForeignValuesAreLeftAlone() throws Exception {
    KeyCredential adKey = KeyCredential.build(TestKeys.rsa(2),
        KeyCredentialOptions.userKey(device, Instant.parse("2026-01-01T00:00:00Z")));
    String adValue = new DnBinary(adKey.toByteArray(), aliceDn).format();
    directory.addKeyCredentialLink(aliceDn, adValue);
    directory.addKeyCredentialLink(aliceDn, "B:4:0102:" + aliceDn); // not a key credential

    try (LabSync sync = LabSync.manual(service, directory)) {
      Cycle c = sync.runOnce();
      assertThat(c.removed()).isZero();
    }
    assertThat(directory.keyCredentialLinks(aliceDn)).containsExactlyInAnyOrder(
        adValue, "B:4:0102:" + aliceDn);
  }

  @Test
  void aKeyOfAnUnknownUserWaitsUntilTheUserExists() throws Exception {
    register(BOB, 0);
    try (LabSync sync = LabSync.manual(service, directory)) {
      Cycle c = sync.runOnce();
      assertThat(c.added()).isZero();
      assertThat(c.usersNotFound()).containsExactly(BOB);

      String bobDn = directory.addUser("Bob", "BOB@keytrust.lab", "bob"); // UPN case ignored
      Cycle later = sync.runOnce();

      assertThat(later.added()).isEqualTo(1);
      assertThat(later.usersNotFound()).isEmpty();
      assertThat(directory.keyCredentialLinks(bobDn)).hasSize(1);
      assertThat(directory.keyCredentialLinks(aliceDn)).isEmpty();
    }
  }

  @Test
  void theScheduleRunsCyclesOnItsOwn() throws Exception {
    try (LabSync sync = LabSync.start(service, directory, Duration.ofSeconds(1))) {
      assertThat(sync.interval()).isEqualTo(Duration.ofSeconds(1));
      assertThat(sync.nextCycle()).isPresent();
      register(ALICE, 0);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (directory.keyCredentialLinks(aliceDn).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(directory.keyCredentialLinks(aliceDn)).hasSize(1);
      assertThat(sync.lastCycle()).isPresent();
    }
  }

  @Test
  void theDefaultIntervalIsThirtyMinutesAndIntervalsAreBounded() {
    assertThat(LabSync.DEFAULT_INTERVAL).isEqualTo(Duration.ofMinutes(30));
    try (LabSync sync = LabSync.manual(service, directory)) {
      assertThat(sync.interval()).isEqualTo(Duration.ofMinutes(30));
      assertThat(sync.nextCycle()).isEmpty();
    }
    assertThat(LabSync.parseInterval("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(LabSync.parseInterval("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(LabSync.parseInterval("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(LabSync.parseInterval("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(LabSync.parseInterval("PT1M")).isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> LabSync.parseInterval("500ms"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 1 s");
    assertThatThrownBy(() -> LabSync.parseInterval("soon"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("30m");
    assertThatThrownBy(() -> LabSync.start(service, directory, Duration.ofDays(8)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
