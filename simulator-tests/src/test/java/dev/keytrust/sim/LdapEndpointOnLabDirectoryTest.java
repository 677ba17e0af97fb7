package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.LabCertificates;
import dev.keytrust.lab.LabDirectory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.ThrowingConsumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The LDAP registration endpoint against the in-process lab directory (UnboundID, AD schema for
 * msDS-KeyCredentialLink), over LDAPS with the lab CA unless a test says otherwise.
 */
class LdapEndpointOnLabDirectoryTest {
  /** A password that cannot turn up by chance in DNs, paths, hex or messages. */
  private static final String PASSWORD = "Ldap-Pw-q7Zx#93";
  private static final String UPN = "alice@keytrust.lab";

  @TempDir Path dir;
  private LabCertificates certs;
  private LabDirectory lab;
  private String svc;
  private String alice;
  private Path credentials;

  @BeforeEach
  void startLab() throws Exception {
    certs = LabCertificates.create(dir.resolve("pki"));
    lab = LabDirectory.start(certs);
    svc = lab.addBindAccount("svc-keytrust", PASSWORD.toCharArray());
    alice = lab.addUser("alice", UPN, "alice");
    credentials = credentialsFile("ldap.cred", svc, PASSWORD);
  }

  @AfterEach
  void stopLab() {
    lab.close();
  }

  // ---- fixtures ----

  private Path credentialsFile(String name, String bindDn, String password) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, "# lab account\nbind-dn=" + bindDn + "\npassword=" + password + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private KeyRegistrationEndpoint open(URI uri, String... extra) throws KeytrustException {
    Map<String, String> settings = new HashMap<>();
    settings.put("credentials-file", credentials.toString());
    settings.put("connect-timeout", "5s");
    settings.put("response-timeout", "10s");
    for (int i = 0; i < extra.length; i += 2) {
      settings.put(extra[i], extra[i + 1]);
    }
    return KeyRegistrationEndpoints.open(uri, new EndpointSettings(settings));
  }

  private KeyRegistrationEndpoint ldaps(String... extra) throws KeytrustException {
    String[] all = Arrays.copyOf(extra, extra.length + 2);
    all[extra.length] = "ca-file";
    all[extra.length + 1] = certs.caFile().toString();
    return open(lab.ldapsUri(), all);
  }

  /** A registration whose blob is {@code seed} repeated: the endpoint does not parse blobs. */
  private static KeyRegistration registration(String upn, String accountName, int seed)
      throws Exception {
    byte[] material = new byte[64];
    Arrays.fill(material, (byte) seed);
    byte[] keyId = MessageDigest.getInstance("SHA-256").digest(material);
    byte[] blob = new byte[48];
    Arrays.fill(blob, (byte) (seed + 0xA0));
    blob[0] = 0x00;
    blob[1] = 0x02;
    return new KeyRegistration(upn, accountName, material, keyId, blob, UUID.randomUUID(),
        Instant.parse("2026-11-25T10:00:00Z"));
  }

  private static String expectedValue(KeyRegistration r, String dn) {
    return "B:" + 2 * r.keyCredentialLink().length + ":"
        + HexFormat.of().withUpperCase().formatHex(r.keyCredentialLink()) + ":" + dn;
  }

  private static ThrowingConsumer<Throwable> keytrustError(ErrorCode code,
      ThrowingConsumer<String> message) {
    return t -> {
      assertThat(t).isInstanceOf(KeytrustException.class);
      assertThat(((KeytrustException) t).code()).isEqualTo(code);
      assertThat(t.getMessage()).doesNotContain(PASSWORD);
      message.accept(t.getMessage());
    };
  }

  private static void assertFails(ThrowingCallable action, ErrorCode code,
      ThrowingConsumer<String> message) {
    assertThatThrownBy(action).satisfies(keytrustError(code, message));
  }

  // ---- register ----

  @Test
  void registerOverLdapsWritesTheValueAndReadsItBack() throws Exception {
    KeyRegistration r = registration(UPN, null, 1);

    RegistrationReceipt receipt;
    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      receipt = endpoint.register(r);
      assertThat(receipt.endpoint()).isEqualTo(endpoint.describe());
    }

    assertThat(lab.keyCredentialLinks(alice)).containsExactly(expectedValue(r, alice));
    assertThat(receipt.alreadyPresent()).isFalse();
    assertThat(receipt.serverKeyId()).isEqualTo(alice);
    assertThat(receipt.userPrincipalName()).isEqualTo(UPN);
    assertThat(receipt.keyIdBase64()).isEqualTo(r.keyIdBase64());
    assertThat(receipt.endpoint())
        .isEqualTo("ldaps://127.0.0.1:" + lab.ldapsPort() + "/DC=keytrust,DC=lab");
  }

  @Test
  void registerTwiceKeepsOneValue() throws Exception {
    KeyRegistration r = registration(UPN, "alice", 2);
    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertThat(endpoint.register(r).alreadyPresent()).isFalse();
      assertThat(endpoint.register(r).alreadyPresent()).isTrue();
    }
    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertThat(endpoint.register(r).alreadyPresent()).isTrue();
    }

    assertThat(lab.keyCredentialLinks(alice)).containsExactly(expectedValue(r, alice));
  }

  @Test
  void anEqualValueWithLowerCaseHexAndOtherDnCaseCountsAsPresent() throws Exception {
    KeyRegistration r = registration(UPN, null, 3);
    String lower = "B:" + 2 * r.keyCredentialLink().length + ":"
        + HexFormat.of().formatHex(r.keyCredentialLink()) + ":cn=ALICE,cn=users,dc=keytrust,dc=lab";
    lab.addKeyCredentialLink(alice, lower);

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertThat(endpoint.register(r).alreadyPresent()).isTrue();
    }

    assertThat(lab.keyCredentialLinks(alice)).containsExactly(lower);
  }

  @Test
  void otherKeysOfTheUserAreKept() throws Exception {
    KeyRegistration other = registration(UPN, null, 4);
    KeyRegistration r = registration(UPN, null, 5);
    lab.addKeyCredentialLink(alice, expectedValue(other, alice));

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      endpoint.register(r);
    }

    assertThat(lab.keyCredentialLinks(alice))
        .containsExactlyInAnyOrder(expectedValue(other, alice), expectedValue(r, alice));
  }

  @Test
  void userIsFoundByUpnOrBySamAccountName() throws Exception {
    String staff = lab.addOrganizationalUnit("Staff");
    String bob = lab.addUser(staff, "Bob Jones", "bob.jones@corp.example", "bob");
    KeyRegistration byUpn = registration("bob.jones@corp.example", null, 6);
    KeyRegistration byAccount = registration("bob@keytrust.lab", "bob", 7);

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertThat(endpoint.register(byUpn).serverKeyId()).isEqualTo(bob);
      RegistrationReceipt receipt = endpoint.register(byAccount);
      assertThat(receipt.serverKeyId()).isEqualTo(bob);
      assertThat(receipt.userPrincipalName()).isEqualTo("bob.jones@corp.example");
    }

    assertThat(bob).isEqualTo("CN=Bob Jones,OU=Staff,DC=keytrust,DC=lab");
    assertThat(lab.keyCredentialLinks(bob))
        .containsExactlyInAnyOrder(expectedValue(byUpn, bob), expectedValue(byAccount, bob));
  }

  @Test
  void plainLdapToLoopbackWorks() throws Exception {
    KeyRegistration r = registration(UPN, null, 8);
    try (KeyRegistrationEndpoint endpoint = open(lab.ldapUri())) {
      assertThat(endpoint.describe()).startsWith("ldap://127.0.0.1:");
      endpoint.register(r);
    }
    assertThat(lab.keyCredentialLinks(alice)).containsExactly(expectedValue(r, alice));
  }

  // ---- unregister ----

  @Test
  void unregisterRemovesOnlyOurValueAndSucceedsWhenAbsent() throws Exception {
    KeyRegistration other = registration(UPN, null, 9);
    KeyRegistration r = registration(UPN, null, 10);
    lab.addKeyCredentialLink(alice, expectedValue(other, alice));

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      endpoint.register(r);
      endpoint.unregister(r);
      assertThat(lab.keyCredentialLinks(alice)).containsExactly(expectedValue(other, alice));
      endpoint.unregister(r);
    }
    assertThat(lab.keyCredentialLinks(alice)).containsExactly(expectedValue(other, alice));
  }

  @Test
  void unregisterRemovesAnEqualValueWrittenInLowerCase() throws Exception {
    KeyRegistration r = registration(UPN, null, 11);
    // lower-case hex and DN, as pydsinternals and Impacket write them; the "B:" tag stays upper-case
    lab.addKeyCredentialLink(alice, "B:" + expectedValue(r, alice).substring(2).toLowerCase());

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      endpoint.unregister(r);
    }
    assertThat(lab.keyCredentialLinks(alice)).isEmpty();
  }

  // ---- users ----

  @Test
  void unknownUserIsNotFound() throws Exception {
    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertFails(() -> endpoint.register(registration("nobody@keytrust.lab", "nobody", 12)),
          AgentErrorCode.LDAP_USER_NOT_FOUND, m -> assertThat(m)
              .contains("userPrincipalName=nobody@keytrust.lab or sAMAccountName=nobody")
              .contains("under DC=keytrust,DC=lab").contains("base DN"));
      assertFails(() -> endpoint.unregister(registration("nobody@keytrust.lab", null, 12)),
          AgentErrorCode.LDAP_USER_NOT_FOUND, m -> assertThat(m).contains("nobody@keytrust.lab"));
    }
  }

  @Test
  void twoMatchingUsersAreRefusedAndNothingIsWritten() throws Exception {
    String staff = lab.addOrganizationalUnit("Staff");
    String otherAlice = lab.addUser(staff, "alice2", "alice.smith@keytrust.lab", "alice");
    String dupe = lab.addUser(staff, "alice3", UPN, "alice3");

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertFails(() -> endpoint.register(registration("alice.smith@keytrust.lab", "alice", 13)),
          AgentErrorCode.LDAP_USER_AMBIGUOUS, m -> assertThat(m).startsWith("2 user objects match")
              .contains(alice).contains(otherAlice).contains("narrow the base DN"));
      assertFails(() -> endpoint.register(registration(UPN, null, 13)),
          AgentErrorCode.LDAP_USER_AMBIGUOUS, m -> assertThat(m).contains(alice).contains(dupe));
    }
    assertThat(lab.keyCredentialLinks(alice)).isEmpty();
    assertThat(lab.keyCredentialLinks(otherAlice)).isEmpty();
    assertThat(lab.keyCredentialLinks(dupe)).isEmpty();
  }

  @Test
  void aNarrowerBaseDnResolvesTheAmbiguity() throws Exception {
    String staff = lab.addOrganizationalUnit("Staff");
    String staffAlice = lab.addUser(staff, "alice", UPN, "alice");
    URI narrow = URI.create("ldaps://127.0.0.1:" + lab.ldapsPort() + "/" + staff);

    try (KeyRegistrationEndpoint endpoint = open(narrow, "ca-file", certs.caFile().toString())) {
      assertThat(endpoint.register(registration(UPN, null, 14)).serverKeyId())
          .isEqualTo(staffAlice);
    }
    assertThat(lab.keyCredentialLinks(alice)).isEmpty();
  }

  // ---- bind and rights ----

  @Test
  void wrongPasswordIsABindFailureNamingTheAccountAndFile() throws Exception {
    credentials = credentialsFile("wrong.cred", svc, "Not-" + PASSWORD);

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertFails(() -> endpoint.register(registration(UPN, null, 15)),
          AgentErrorCode.LDAP_BIND_FAILED, m -> assertThat(m).contains("refused the bind as " + svc)
              .contains("invalid credentials").contains(credentials.toString())
              .doesNotContain("Not-"));
    }
    assertThat(lab.keyCredentialLinks(alice)).isEmpty();
  }

  @Test
  void writeRefusedForLackOfRightsNamesTheGrantAndTheGroup() throws Exception {
    lab.denyKeyCredentialLinkWrites(svc);
    KeyRegistration r = registration(UPN, null, 16);

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertFails(() -> endpoint.register(r), AgentErrorCode.LDAP_WRITE_DENIED, m -> assertThat(m)
          .contains("INSUFF_ACCESS_RIGHTS")
          .contains("insufficient access rights")
          .contains(alice)
          .contains(svc)
          .contains("Read/Write property msDS-KeyCredentialLink on descendant User objects")
          .contains("domain root DC=keytrust,DC=lab")
          .contains("\"KeyCredential Admins\"")
          .contains("built-in \"Key Admins\"")
          .contains("2016"));
    }
    assertThat(lab.keyCredentialLinks(alice)).isEmpty();

    lab.addKeyCredentialLink(alice, expectedValue(r, alice));
    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertFails(() -> endpoint.unregister(r), AgentErrorCode.LDAP_WRITE_DENIED,
          m -> assertThat(m).contains("remove a value from msDS-KeyCredentialLink")
              .contains("\"KeyCredential Admins\""));
      assertThat(endpoint.register(r).alreadyPresent())
          .as("an equal value present needs no write").isTrue();
    }
  }

  @Test
  void writeWithoutReadIsCaughtByTheReadBack() throws Exception {
    lab.hideKeyCredentialLinkFrom(svc);
    KeyRegistration r = registration(UPN, null, 17);

    try (KeyRegistrationEndpoint endpoint = ldaps()) {
      assertFails(() -> endpoint.register(r), AgentErrorCode.LDAP_READBACK_MISMATCH,
          m -> assertThat(m).contains("Read property msDS-KeyCredentialLink").contains(alice));
    }
    assertThat(lab.keyCredentialLinks(alice)).containsExactly(expectedValue(r, alice));
  }

  // ---- transport ----

  @Test
  void untrustedCaIsRefused() throws Exception {
    LabCertificates stranger = LabCertificates.create(dir.resolve("other-pki"));
    try (KeyRegistrationEndpoint endpoint =
        open(lab.ldapsUri(), "ca-file", stranger.caFile().toString())) {
      assertFails(() -> endpoint.register(registration(UPN, null, 18)),
          AgentErrorCode.LDAP_TLS_UNTRUSTED, m -> assertThat(m)
              .contains("127.0.0.1:" + lab.ldapsPort())
              .contains("ca-file " + stranger.caFile())
              .contains("does not trust"));
    }
    try (KeyRegistrationEndpoint endpoint = open(lab.ldapsUri())) {
      assertFails(() -> endpoint.register(registration(UPN, null, 18)),
          AgentErrorCode.LDAP_TLS_UNTRUSTED, m -> assertThat(m).contains("default trust store"));
    }
    assertThat(lab.keyCredentialLinks(alice)).isEmpty();
  }

  @Test
  void ldapsToAPlainLdapPortFailsTheHandshake() throws Exception {
    URI wrongPort = URI.create("ldaps://127.0.0.1:" + lab.ldapPort() + "/" + LabDirectory.BASE_DN);
    try (KeyRegistrationEndpoint endpoint =
        open(wrongPort, "ca-file", certs.caFile().toString())) {
      assertFails(() -> endpoint.register(registration(UPN, null, 19)),
          AgentErrorCode.LDAP_TLS_UNTRUSTED, m -> assertThat(m).contains("TLS handshake")
              .contains("speaks LDAPS"));
    }
  }

  @Test
  void plainLdapToANonLoopbackHostIsRefusedAtOpen() {
    assertThatThrownBy(() -> open(URI.create("ldap://dc1.keytrust.lab/" + LabDirectory.BASE_DN)))
        .satisfies(keytrustError(AgentErrorCode.LDAP_ENDPOINT_CONFIG,
            m -> assertThat(m).contains("Refusing plain ldap:// to dc1.keytrust.lab")
                .contains("allow-plain-ldap=true")));
  }

  @Test
  void unreachableServerIsReportedAsSuch() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    URI nowhere = URI.create("ldaps://127.0.0.1:" + closedPort + "/" + LabDirectory.BASE_DN);
    try (KeyRegistrationEndpoint endpoint = open(nowhere, "ca-file", certs.caFile().toString())) {
      assertFails(() -> endpoint.register(registration(UPN, null, 20)),
          AgentErrorCode.LDAP_UNREACHABLE, m -> assertThat(m)
              .contains("Cannot reach the LDAP server 127.0.0.1:" + closedPort)
              .contains("connect-timeout"));
    }
  }

  @Test
  void credentialsFileReadableByOthersIsRefusedAtOpen() throws Exception {
    Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(this::ldaps).satisfies(keytrustError(AgentErrorCode.LDAP_CREDENTIALS_FILE,
        m -> assertThat(m).contains("chmod 600 " + credentials)));
  }

  // ---- logs ----

  @Test
  void debugLogsNeverHoldThePassword() throws Exception {
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    Logger keytrust = (Logger) LoggerFactory.getLogger("dev.keytrust");
    Level before = keytrust.getLevel();
    keytrust.setLevel(Level.DEBUG);
    events.start();
    keytrust.addAppender(events);
    try {
      KeyRegistration r = registration(UPN, null, 21);
      try (KeyRegistrationEndpoint endpoint = ldaps()) {
        endpoint.register(r);
        endpoint.register(r);
        endpoint.unregister(r);
      }
      credentials = credentialsFile("wrong.cred", svc, "Not-" + PASSWORD);
      try (KeyRegistrationEndpoint endpoint = ldaps()) {
        assertThatThrownBy(() -> endpoint.register(r)).isInstanceOf(KeytrustException.class);
      }
    } finally {
      keytrust.detachAppender(events);
      keytrust.setLevel(before);
    }

    assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).startsWith("Registered key"))
        .anySatisfy(m -> assertThat(m).startsWith("Bound to"));
    for (ILoggingEvent e : events.list) {
      String all = e.getFormattedMessage() + " " + Arrays.toString(e.getArgumentArray())
          + (e.getThrowableProxy() != null ? " " + e.getThrowableProxy().getMessage() : "");
      assertThat(all).as(e.toString()).doesNotContain(PASSWORD);
    }
  }
}
