package dev.keytrust.agent.pam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pam-auth configuration: its format, the mapping of a Linux user, and which files are trusted. */
class PamConfigTest {
  static final String EXAMPLE = """
      # keytrust pam-auth
      realm   = CONTOSO.COM
      kdc     = dc1.contoso.com:88   # a comment after a value
      kdc-ca  = /etc/keytrust/enterprise-ca.pem
      tpm     = device:/dev/tpmrm0

      [user alice]
      upn     = alice.smith@contoso.com
      store   = /var/lib/keytrust/alice
      kdc-timeout = 1500ms

      [users svc-*]
      tpm     = software
      ccache  = FILE:%{home}/krb5cc

      [users *]
      """;
  private static final LinuxAccount ALICE = new LinuxAccount("alice", 1001, 1001, Path.of("/home/alice"));
  private static final LinuxAccount BOB = new LinuxAccount("bob", 1002, 100, Path.of("/home/bob"));
  private static final LinuxAccount SVC = new LinuxAccount("svc-web", 990, 990, Path.of("/srv/web"));

  @TempDir Path dir;

  private static PamConfig parse(String text) throws KeytrustException {
    return PamConfigParser.parse(text, Path.of("/etc/keytrust/pam.conf"));
  }

  private static PamUserMapping mapping(PamConfig c, LinuxAccount a) throws KeytrustException {
    return PamUserMapping.resolve(c.settingsFor(a.name()).orElseThrow(), a, c.source());
  }

  @Test
  void aUserSectionThenPatternsInFileOrderOverTheDefaults() throws Exception {
    PamConfig c = parse(EXAMPLE);
    PamUserMapping alice = mapping(c, ALICE);
    assertThat(alice.kinit().upn()).isEqualTo("alice.smith@contoso.com");
    assertThat(alice.kinit().realm()).isEqualTo("CONTOSO.COM");
    assertThat(alice.keyUser()).isEqualTo("alice.smith@contoso.com");
    assertThat(alice.store()).isEqualTo(Path.of("/var/lib/keytrust/alice"));
    assertThat(alice.kdc().host()).isEqualTo("dc1.contoso.com");
    assertThat(alice.kdcCa()).isEqualTo(Path.of("/etc/keytrust/enterprise-ca.pem"));
    assertThat(alice.tpm().toString()).contains("/dev/tpmrm0");
    assertThat(alice.ccache()).isEqualTo(Path.of("/tmp/krb5cc_1001"));
    assertThat(alice.kdcTimeout()).isEqualTo(Duration.ofMillis(1500));

    PamUserMapping bob = mapping(c, BOB); // [users *]: the defaults
    assertThat(bob.kinit().upn()).isEqualTo("bob@contoso.com");
    assertThat(bob.store()).isEqualTo(Path.of("/home/bob/.keytrust/keys"));
    assertThat(bob.ccache()).isEqualTo(Path.of("/tmp/krb5cc_1002"));
    assertThat(bob.kdcTimeout()).isEqualTo(PamUserMapping.DEFAULT_KDC_TIMEOUT);

    PamUserMapping svc = mapping(c, SVC); // the first matching pattern wins
    assertThat(svc.tpm().isSoftware()).isTrue();
    assertThat(svc.ccache()).isEqualTo(Path.of("/srv/web/krb5cc"));
  }

  @Test
  void aUserNoSectionNamesIsNotMapped() throws Exception {
    PamConfig c = parse("realm = CONTOSO.COM\nkdc-ca = /ca.pem\n[user alice]\n");
    assertThat(c.settingsFor("alice")).isPresent();
    assertThat(c.settingsFor("bob")).isEmpty();
    assertThat(c.settingsFor("alice2")).isEmpty();
  }

  @Test
  void mistakesNameTheirLine() {
    assertThatThrownBy(() -> parse("realm = A.B\nrealm = C.D\n")).hasMessageContaining("line 2")
        .hasMessageContaining("set twice");
    assertThatThrownBy(() -> parse("[user alice]\npassword = x\n")).hasMessageContaining("line 2")
        .hasMessageContaining("unknown setting 'password'");
    assertThatThrownBy(() -> parse("[group wheel]\n")).hasMessageContaining("line 1");
    assertThatThrownBy(() -> parse("[user alice]\n[user alice]\n")).hasMessageContaining("a second");
    assertThatThrownBy(() -> parse("[user a/b]\n")).hasMessageContaining("not a Linux user name");
    assertThatThrownBy(() -> parse("store = %{shell}/x\n")).hasMessageContaining("not a placeholder");
    assertThatThrownBy(() -> parse("just words\n")).hasMessageContaining("'name = value'");
    assertThatThrownBy(() -> parse("upn =\n")).hasMessageContaining("no value");
    assertThatThrownBy(() -> parse("x")).isInstanceOfSatisfying(KeytrustException.class,
        e -> assertThat(e.code()).isEqualTo(AgentErrorCode.PAM_CONFIG_INVALID));
  }

  @Test
  void badValuesAreRefusedWhenAUserIsMapped() throws Exception {
    for (String bad : new String[] {"kdc-ca = relative.pem", "ccache = KEYRING:persistent:1",
        "kdc-timeout = 0s", "kdc-timeout = soon", "store = keys", "tpm = carrier-pigeon:1"}) {
      PamConfig c = parse("realm = CONTOSO.COM\nkdc-ca = /ca.pem\n[user alice]\n" + bad + "\n");
      assertThatThrownBy(() -> mapping(c, ALICE)).as(bad).isInstanceOfSatisfying(KeytrustException.class,
          e -> assertThat(e.code()).isEqualTo(AgentErrorCode.PAM_CONFIG_INVALID));
    }
    PamConfig noCa = parse("realm = CONTOSO.COM\n[user alice]\n");
    assertThatThrownBy(() -> mapping(noCa, ALICE)).hasMessageContaining("'kdc-ca' is not set");
  }

  @Test
  void onlyAFileNoOneButRootCanWriteIsRead() throws Exception {
    Path f = dir.resolve("pam.conf");
    Files.writeString(f, EXAMPLE);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    int owner = (Integer) Files.getAttribute(f, "unix:uid");
    PamCaller root = new PamCaller(0, 0);
    PamCaller ownerCaller = new PamCaller(owner, owner);
    PamCaller someoneElse = new PamCaller(owner + 4242, owner + 4242);

    // root's file is trusted by every caller; another user's file by that user only, never by root
    assertThat(PamConfigFile.read(f, ownerCaller).sections()).hasSize(3);
    if (owner == 0) {
      assertThat(PamConfigFile.read(f, someoneElse).sections()).hasSize(3);
      Files.setAttribute(f, "unix:uid", 4242);
      assertThat(PamConfigFile.read(f, new PamCaller(4242, 4242)).sections()).hasSize(3);
      assertThatThrownBy(() -> PamConfigFile.read(f, root)).hasMessageContaining("owned by uid 4242");
      Files.setAttribute(f, "unix:uid", 0);
    } else {
      assertThatThrownBy(() -> PamConfigFile.read(f, root)).hasMessageContaining("not by root");
    }
    PamCaller notTheOwner = owner == 0 ? new PamCaller(4243, 4243) : someoneElse;
    if (owner == 0) {
      Files.setAttribute(f, "unix:uid", 4242);
    }
    assertThatThrownBy(() -> PamConfigFile.read(f, notTheOwner)).isInstanceOfSatisfying(
        KeytrustException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.PAM_CONFIG_UNSAFE));
    Files.setAttribute(f, "unix:uid", owner);

    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-r--"));
    assertThatThrownBy(() -> PamConfigFile.read(f, ownerCaller)).hasMessageContaining("chmod go-w");

    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    Path link = Files.createSymbolicLink(dir.resolve("link.conf"), f);
    assertThatThrownBy(() -> PamConfigFile.read(link, ownerCaller)).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> PamConfigFile.read(dir.resolve("missing.conf"), ownerCaller))
        .hasMessageContaining("does not exist");
  }

  @Test
  void aPasswdLineIsAnAccount() {
    assertThat(LinuxAccounts.parse("alice:x:1001:100:Alice,,,:/home/alice:/bin/bash", "alice"))
        .contains(new LinuxAccount("alice", 1001, 100, Path.of("/home/alice")));
    assertThat(LinuxAccounts.parse("alice:x:1001:100:Alice:/home/alice:/bin/bash", "bob")).isEmpty();
    assertThat(LinuxAccounts.parse("garbage", "alice")).isEmpty();
  }
}
