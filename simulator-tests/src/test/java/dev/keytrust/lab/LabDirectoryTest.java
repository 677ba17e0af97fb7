package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.schema.AttributeTypeDefinition;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab directory itself, driven through a plain UnboundID client. */
class LabDirectoryTest {
  private static final char[] PASSWORD = "lab-dir-Pw-5521".toCharArray();
  private static final String ALICE_VALUE = "B:8:0002ABCD:CN=alice,CN=Users,DC=keytrust,DC=lab";

  @TempDir Path dir;
  private LabDirectory lab;

  @AfterEach
  void stop() {
    if (lab != null) {
      lab.close();
    }
  }

  private LDAPConnection bound(String bindDn) throws LDAPException {
    LDAPConnection c = new LDAPConnection("127.0.0.1", lab.ldapPort());
    c.bind(bindDn, new String(PASSWORD));
    return c;
  }

  @Test
  void listensOnLoopbackWithTheBaseDnAndAdsAttributeDefinitions() throws Exception {
    lab = LabDirectory.start();
    String svc = lab.addBindAccount("svc", PASSWORD);

    assertThat(lab.ldapUri().toString())
        .isEqualTo("ldap://127.0.0.1:" + lab.ldapPort() + "/DC=keytrust,DC=lab");
    assertThatThrownBy(lab::ldapsPort).isInstanceOf(IllegalStateException.class);
    try (LDAPConnection c = bound(svc)) {
      AttributeTypeDefinition kcl = c.getSchema().getAttributeType("msDS-KeyCredentialLink");
      assertThat(kcl.getOID()).isEqualTo("1.2.840.113556.1.4.2328");
      assertThat(kcl.getSyntaxOID()).isEqualTo("1.2.840.113556.1.4.903");
      assertThat(kcl.isSingleValued()).isFalse();
      assertThat(c.getSchema().getObjectClass("user").getOID()).isEqualTo("1.2.840.113556.1.5.9");
      assertThat(c.getEntry(LabDirectory.USERS_DN)).isNotNull();
    }
  }

  @Test
  void usersAreFoundByUpnOrAccountNameCaseInsensitively() throws Exception {
    lab = LabDirectory.start();
    String svc = lab.addBindAccount("svc", PASSWORD);
    String alice = lab.addUser("alice", "alice@keytrust.lab", "alice");
    String staff = lab.addOrganizationalUnit("Staff");
    String bob = lab.addUser(staff, "bob", null, "bob");

    assertThat(alice).isEqualTo("CN=alice,CN=Users,DC=keytrust,DC=lab");
    assertThat(bob).isEqualTo("CN=bob,OU=Staff,DC=keytrust,DC=lab");
    try (LDAPConnection c = bound(svc)) {
      assertThat(dns(c, "(userPrincipalName=ALICE@keytrust.lab)")).containsExactly(alice);
      assertThat(dns(c, "(&(objectClass=user)(sAMAccountName=Bob))")).containsExactly(bob);
    }
  }

  @Test
  void keyCredentialLinkIsMultiValuedAndReadableByTheHelper() throws Exception {
    lab = LabDirectory.start();
    String svc = lab.addBindAccount("svc", PASSWORD);
    String alice = lab.addUser("alice", "alice@keytrust.lab", "alice");
    String second = "B:4:BEEF:" + alice;

    lab.addKeyCredentialLink(alice, ALICE_VALUE);
    try (LDAPConnection c = bound(svc)) {
      c.modify(alice, new Modification(ModificationType.ADD, "msDS-KeyCredentialLink", second));
    }

    assertThat(lab.keyCredentialLinks(alice)).containsExactlyInAnyOrder(ALICE_VALUE, second);
    assertThat(lab.keyCredentialLinks(lab.addUser("carol", null, "carol"))).isEmpty();
  }

  @Test
  void anonymousSearchesAndWrongPasswordsAreRefused() throws Exception {
    lab = LabDirectory.start();
    String svc = lab.addBindAccount("svc", PASSWORD);

    try (LDAPConnection c = new LDAPConnection("127.0.0.1", lab.ldapPort())) {
      assertThatThrownBy(() -> c.search(LabDirectory.BASE_DN, SearchScope.SUB, "(cn=*)"))
          .isInstanceOfSatisfying(LDAPException.class, e -> assertThat(e.getResultCode())
              .isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS));
      assertThatThrownBy(() -> c.bind(svc, "not-the-password"))
          .isInstanceOfSatisfying(LDAPException.class, e -> assertThat(e.getResultCode())
              .isEqualTo(ResultCode.INVALID_CREDENTIALS));
    }
  }

  @Test
  void deniedWritesFailLikeActiveDirectoryForThatBindDnOnly() throws Exception {
    lab = LabDirectory.start();
    String svc = lab.addBindAccount("svc", PASSWORD);
    String admin = lab.addBindAccount("admin", PASSWORD);
    String alice = lab.addUser("alice", "alice@keytrust.lab", "alice");
    Modification add = new Modification(ModificationType.ADD, "msDS-KeyCredentialLink", ALICE_VALUE);

    lab.denyKeyCredentialLinkWrites("cn=SVC,cn=users,dc=keytrust,dc=lab");

    try (LDAPConnection c = bound(svc)) {
      assertThatThrownBy(() -> c.modify(alice, add))
          .isInstanceOfSatisfying(LDAPException.class, e -> {
            assertThat(e.getResultCode()).isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            assertThat(e.getDiagnosticMessage()).startsWith(LabDirectory.INSUFF_ACCESS_RIGHTS);
          });
      c.modify(alice, new Modification(ModificationType.REPLACE, "description", "other attribute"));
    }
    assertThat(lab.keyCredentialLinks(alice)).isEmpty();
    try (LDAPConnection c = bound(admin)) {
      c.modify(alice, add);
    }
    assertThat(lab.keyCredentialLinks(alice)).containsExactly(ALICE_VALUE);

    lab.allowKeyCredentialLinkWrites(svc);
    try (LDAPConnection c = bound(svc)) {
      c.modify(alice, new Modification(ModificationType.DELETE, "msDS-KeyCredentialLink"));
    }
    assertThat(lab.keyCredentialLinks(alice)).isEmpty();
  }

  @Test
  void hiddenReadsDropTheAttributeForThatBindDn() throws Exception {
    lab = LabDirectory.start();
    String svc = lab.addBindAccount("svc", PASSWORD);
    String admin = lab.addBindAccount("admin", PASSWORD);
    String alice = lab.addUser("alice", "alice@keytrust.lab", "alice");
    lab.addKeyCredentialLink(alice, ALICE_VALUE);

    lab.hideKeyCredentialLinkFrom(svc);

    try (LDAPConnection c = bound(svc)) {
      SearchResultEntry e = c.getEntry(alice, "msDS-KeyCredentialLink", "sAMAccountName");
      assertThat(e.hasAttribute("msDS-KeyCredentialLink")).isFalse();
      assertThat(e.getAttributeValue("sAMAccountName")).isEqualTo("alice");
    }
    try (LDAPConnection c = bound(admin)) {
      assertThat(c.getEntry(alice, "msDS-KeyCredentialLink")
          .getAttributeValues("msDS-KeyCredentialLink")).containsExactly(ALICE_VALUE);
    }
  }

  @Test
  void ldapsPresentsTheLabServerCertificate() throws Exception {
    LabCertificates certs = LabCertificates.create(dir.resolve("pki"));
    lab = LabDirectory.start(certs);
    String svc = lab.addBindAccount("svc", PASSWORD);

    assertThat(lab.ldapsUri().toString())
        .isEqualTo("ldaps://127.0.0.1:" + lab.ldapsPort() + "/DC=keytrust,DC=lab");
    assertThat(lab.ldapsPort()).isNotEqualTo(lab.ldapPort());
    try (LDAPConnection c = new LDAPConnection(certs.clientSslContext().getSocketFactory(),
        "127.0.0.1", lab.ldapsPort())) {
      c.bind(svc, new String(PASSWORD));
      assertThat(c.getEntry(LabDirectory.BASE_DN)).isNotNull();
    }
  }

  @Test
  void closeStopsListening() throws Exception {
    lab = LabDirectory.start();
    int port = lab.ldapPort();

    lab.close();
    lab = null;

    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      }
    }).isInstanceOf(IOException.class);
  }

  private static List<String> dns(LDAPConnection c, String filter) throws Exception {
    return c.search(LabDirectory.BASE_DN, SearchScope.SUB, Filter.create(filter)).getSearchEntries()
        .stream().map(SearchResultEntry::getDN).toList();
  }
}
