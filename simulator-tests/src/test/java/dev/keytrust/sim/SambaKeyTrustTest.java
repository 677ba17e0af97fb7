package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.endpoint.ldap.KeySyncPermissions;
import dev.keytrust.agent.endpoint.ldap.KeySyncPermissions.Answer;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.SambaDc;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Files;
import dev.keytrust.credential.KeySource;
import dev.keytrust.lab.LdapSyncDirectory;
import dev.keytrust.lab.LabSync;
import dev.keytrust.lab.LabKeyService;
import dev.keytrust.lab.LabException;
import dev.keytrust.lab.LabCertificates;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LDAP endpoint and the key-sync permission check against a real Active Directory: a Samba AD
 * DC provisioned for this class (own state directory, loopback, stopped by its own process), with
 * msDS-KeyCredentialLink added to its schema as in the lab recipe. The sync account is not an
 * administrator: it gets its rights the way the hybrid key trust guide grants them, through the
 * "KeyCredential Admins" group and an inheritable ACE on the domain root.
 *
 * <p>The tests run in order on one DC (provisioning takes seconds): first without the ACE (the
 * write is refused with the error that names the grant and the group), then with it.
 *
 * <p>Samba must be installed ({@code scripts/install-deps.sh} does it). Under CI ({@code CI=true})
 * a missing Samba fails the class; elsewhere it is skipped, with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SambaKeyTrustTest {
  private static final char[] SYNC_PASSWORD = "Sync-Pw-k3Vq#71".toCharArray();
  private static final String GROUP = KeySyncPermissions.DEFAULT_GROUP;

  private SambaDc dc;
  private String alice;
  private String svc;
  private String groupDn;
  private Map<String, String> settings;

  @BeforeAll
  void startDc(@TempDir Path dir) {
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(SambaDc.installed()).as("Samba is installed (scripts/install-deps.sh)").isTrue();
    }
    dc = SambaDc.start(dir.resolve("samba"));
    alice = dc.createUser("alice", "Alice-Pw-55!x".toCharArray());
    svc = dc.createUser("svc-keysync", SYNC_PASSWORD);
    groupDn = dc.createGroup(GROUP);
    dc.addMember(groupDn, svc);
    Path credentials = SambaDc.writeCredentialsFile(dir.resolve("sync.cred"), svc, SYNC_PASSWORD);
    settings = Map.of("credentials-file", credentials.toString(), "ca-file",
        dc.caFile().toString(), "connect-timeout", "10s", "response-timeout", "20s");
  }

  @AfterAll
  void stopDc() {
    if (dc != null) {
      long pid = dc.pid();
      dc.close();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(
          java.util.Optional.of(true));
    }
  }

  private KeyRegistrationEndpoint endpoint() throws KeytrustException {
    return KeyRegistrationEndpoints.open(URI.create(dc.ldapsUri()), new EndpointSettings(settings));
  }

  private KeySyncPermissions.Report permissions() throws KeytrustException {
    return KeySyncPermissions.check(URI.create(dc.ldapsUri()), new EndpointSettings(settings),
        GROUP, null);
  }

  /** A real user key's KeyCredentialLink, as the flow builds it. */
  private static KeyRegistration registration(String upn) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    PublicKey key = g.generateKeyPair().getPublic();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    UUID device = UUID.randomUUID();
    KeyCredential kc = KeyCredential.build(key, KeyCredentialOptions.userKey(device, now));
    return new KeyRegistration(upn, null, kc.keyMaterial().orElseThrow().encoded(),
        kc.keyId().orElseThrow(), kc.toByteArray(), device, now);
  }

  private KeytrustJar.Run checkPermissionsCli(String... extra) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("directory", "check-permissions",
        "--directory", dc.ldapsUri(), "--credentials", settings.get("credentials-file"),
        "--ca-file", dc.caFile().toString()));
    args.addAll(List.of(extra));
    return KeytrustJar.run("", args.toArray(new String[0]));
  }

  private static Answer answer(KeySyncPermissions.Report r, String startOfCheck) {
    return r.lines().stream().filter(l -> l.check().startsWith(startOfCheck)).findFirst()
        .orElseThrow(() -> new AssertionError("no line '" + startOfCheck + "' in " + r.lines()))
        .answer();
  }

  @Test
  @Order(1)
  void withoutTheAceTheCheckSaysNoAndTheWriteIsRefusedNamingTheGrantAndGroup() throws Exception {
    KeySyncPermissions.Report before = permissions();
    assertThat(answer(before, "Schema has attribute msDS-KeyCredentialLink")).isEqualTo(Answer.YES);
    assertThat(answer(before, "Group \"" + GROUP + "\"")).isEqualTo(Answer.YES);
    assertThat(answer(before, "Grant at " + SambaDc.BASE_DN)).isEqualTo(Answer.NO);
    assertThat(answer(before, "Account ")).isEqualTo(Answer.YES);
    assertThat(before.granted()).isFalse();
    KeytrustJar.Run cli = checkPermissionsCli();
    assertThat(cli.exit()).as(cli.err()).isEqualTo(1);
    assertThat(cli.out()).contains("Key Synchronization Permissions", "No - no inheritable allow ACE",
        "samba-tool dsacl set").containsPattern("Granted\\s*:\\s*NO");

    KeyRegistration r = registration("alice@" + SambaDc.UPN_SUFFIX);
    try (KeyRegistrationEndpoint endpoint = endpoint()) {
      assertThatThrownBy(() -> endpoint.register(r))
          .isInstanceOfSatisfying(KeytrustException.class, e -> {
            assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_WRITE_DENIED);
            assertThat(e.getMessage()).contains("insufficient access rights", svc,
                "Read/Write property msDS-KeyCredentialLink", "descendant User objects",
                SambaDc.BASE_DN, GROUP).doesNotContain(new String(SYNC_PASSWORD));
          });
    }
    assertThat(dc.keyCredentialLinks(alice)).isEmpty();
  }

  @Test
  @Order(2)
  void withTheAceTheSyncAccountWritesReadsBackAndRemovesTheKey() throws Exception {
    dc.grantKeyCredentialLink(groupDn);

    KeySyncPermissions.Report after = permissions();
    assertThat(after.lines()).allSatisfy(l -> assertThat(l.answer()).as(l.toString())
        .isEqualTo(Answer.YES));
    assertThat(after.granted()).isTrue();
    KeytrustJar.Run cli = checkPermissionsCli("--json");
    assertThat(cli.exit()).as(cli.err()).isZero();
    assertThat(cli.out()).contains("\"granted\": true").doesNotContain(new String(SYNC_PASSWORD));

    KeyRegistration r = registration("alice@" + SambaDc.UPN_SUFFIX);
    String expected = new DnBinary(r.keyCredentialLink(), alice).format();
    try (KeyRegistrationEndpoint endpoint = endpoint()) {
      RegistrationReceipt first = endpoint.register(r);
      assertThat(first.alreadyPresent()).isFalse();
      assertThat(dc.keyCredentialLinks(alice)).hasSize(1);
      DnBinary stored = DnBinary.parse(dc.keyCredentialLinks(alice).get(0));
      assertThat(stored.binary()).isEqualTo(r.keyCredentialLink());
      assertThat(KeyCredential.parse(stored.binary()).keyId()).hasValueSatisfying(
          id -> assertThat(id).isEqualTo(r.keyId()));

      RegistrationReceipt again = endpoint.register(r);
      assertThat(again.alreadyPresent()).isTrue();
      assertThat(dc.keyCredentialLinks(alice)).hasSize(1);

      endpoint.unregister(r);
      assertThat(dc.keyCredentialLinks(alice)).isEmpty();
    }
    assertThat(expected).startsWith("B:" + 2 * r.keyCredentialLink().length + ":");
  }

  @Test
  @Order(3)
  void aMemberOutsideTheGroupIsReportedAsNotAMember() throws Exception {
    String other = dc.createUser("svc-other", SYNC_PASSWORD);
    KeySyncPermissions.Report r = KeySyncPermissions.check(URI.create(dc.ldapsUri()),
        new EndpointSettings(settings), GROUP, other);
    assertThat(answer(r, "Account " + other)).isEqualTo(Answer.NO);
    assertThat(r.granted()).isFalse();
    assertThat(List.of(r.lines().toString())).noneMatch(s -> s.contains(new String(SYNC_PASSWORD)));
  }

  @Test
  @Order(4)
  void theLabSyncJobWritesRegisteredKeysAsTheSyncAccountNotAsAdministrator(@TempDir Path work)
      throws Exception {
    LabCertificates certs = LabCertificates.create(work.resolve("pki"));
    KeyRegistration r = registration("alice@" + SambaDc.UPN_SUFFIX);
    Path token = work.resolve("alice.token");
    try (LabKeyService service = LabKeyService.start(certs)) {
      Files.writeString(token, service.issueToken(r.userPrincipalName(), r.deviceId()));
      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
      try (KeyRegistrationEndpoint drs = KeyRegistrationEndpoints.open(service.baseUri(),
          new EndpointSettings(Map.of("token-file", token.toString(), "ca-file",
              certs.caFile().toString())))) {
        drs.register(r);
      }
      try (LdapSyncDirectory asSync = LdapSyncDirectory.open("127.0.0.1", SambaDc.LDAPS_PORT,
              SambaDc.BASE_DN, dc.caFile(), Path.of(settings.get("credentials-file")));
          LabSync sync = LabSync.manual(service, asSync)) {
        assertThat(asSync.toString()).contains(svc);
        assertThat(sync.runOnce().added()).isEqualTo(1);
        List<String> values = dc.keyCredentialLinks(alice);
        assertThat(values).hasSize(1);
        KeyCredential synced = KeyCredential.parse(DnBinary.parse(values.get(0)).binary());
        assertThat(synced.source()).contains(KeySource.AZURE_AD);
        assertThat(synced.keyId()).hasValueSatisfying(id -> assertThat(id).isEqualTo(r.keyId()));
        assertThat(sync.runOnce().added()).isZero();

        try (KeyRegistrationEndpoint drs = KeyRegistrationEndpoints.open(service.baseUri(),
            new EndpointSettings(Map.of("token-file", token.toString(), "ca-file",
                certs.caFile().toString())))) {
          drs.unregister(r);
        }
        assertThat(sync.runOnce().removed()).isEqualTo(1);
        assertThat(dc.keyCredentialLinks(alice)).isEmpty();
      }

      // an account outside "KeyCredential Admins" is refused, and told which group to join
      Path otherCredentials = SambaDc.writeCredentialsFile(work.resolve("other.cred"),
          "CN=svc-other,CN=Users," + SambaDc.BASE_DN, SYNC_PASSWORD);
      try (LdapSyncDirectory asOther = LdapSyncDirectory.open("127.0.0.1", SambaDc.LDAPS_PORT,
          SambaDc.BASE_DN, dc.caFile(), otherCredentials)) {
        assertThatThrownBy(() -> asOther.addKeyCredentialLink(alice,
                new DnBinary(r.keyCredentialLink(), alice).format()))
            .isInstanceOf(LabException.class)
            .hasMessageContaining("insufficient access rights")
            .hasMessageContaining(SambaDc.GROUP_KEY_CREDENTIAL_ADMINS)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain(new String(SYNC_PASSWORD)));
      }
    }
  }

  @Test
  @Order(5)
  void aDenyAceForTheGroupOverridesTheGrantInTheCheckAndInTheDirectory() throws Exception {
    dc.addDomainRootAce("(OD;CIIO;WP;" + SambaDc.KEY_CREDENTIAL_LINK_GUID + ";"
        + SambaDc.USER_CLASS_GUID + ";" + dc.sid(groupDn) + ")");

    KeySyncPermissions.Report r = permissions();
    assertThat(answer(r, "Grant at " + SambaDc.BASE_DN)).isEqualTo(Answer.NO);
    assertThat(r.lines().toString()).contains("deny ACE");
    KeyRegistration key = registration("alice@" + SambaDc.UPN_SUFFIX);
    try (KeyRegistrationEndpoint endpoint = endpoint()) {
      assertThatThrownBy(() -> endpoint.register(key)).isInstanceOfSatisfying(KeytrustException.class,
          e -> assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_WRITE_DENIED));
    }
  }
}
