package dev.keytrust.agent.cli;

import static dev.keytrust.agent.cli.KinitLab.PIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.cli.KinitLab.Run;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code keytrust kinit} against the real KDC: Samba 4.24's, which checks the PKINIT key against
 * msDS-KeyCredentialLink. A TGT for an RSA key on swtpm and for a software key, each registered by
 * keytrust's LDAP endpoint; MIT klist lists it, MIT kvno gets a service ticket with it, and an LDAP
 * search binds with it over GSSAPI. Runs under CI always; elsewhere skipped without root and
 * debootstrap (or a cached KDC root).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KinitOnKdcTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  private KinitLab lab;

  @BeforeAll
  void startKdc() throws Exception {
    assumeThat(KinitLab.available()).as("the lab KDC can run here (root, debootstrap)").isTrue();
    lab = KinitLab.start(Files.createTempDirectory("keytrust-kinit-test-"), "KinitOnKdcTest");
  }

  @AfterAll
  void stopKdc() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void anRsaKeyOnSwtpmGetsATgtThatMitKlistKvnoAndAnLdapGssapiBindUse() throws Exception {
    KeyTrustKdc.User alice = lab.kdc.createUser("alice");
    String tpm = SWTPM.swtpm().tpmUri();
    KeyContainer key = lab.createKey(alice.upn(), tpm, "rsa2048");
    lab.register(alice, key.publicKey());
    Path ccache = lab.dir.resolve("alice.cc");

    Run run = lab.kinit(alice.upn(), PIN, ccache, "--tpm", tpm, "--json").assertNoSecrets();

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(run.out());
    assertThat(j.at("/outcome").asText()).isEqualTo("SUCCESS");
    assertThat(j.at("/provider").asText()).isEqualTo("tpm");
    assertThat(j.at("/client").asText()).isEqualTo("alice@KEYTRUST.LAB");
    assertThat(j.at("/server").asText()).isEqualTo("krbtgt/KEYTRUST.LAB@KEYTRUST.LAB");
    assertThat(j.at("/freshnessToken").asBoolean()).isTrue();
    assertThat(j.at("/sessionKeyEtype").asText()).isEqualTo("aes256-cts-hmac-sha1-96");
    assertThat(j.at("/kdcCertificateSubject").asText()).contains("CN=" + KeyTrustKdc.DC_HOST);
    assertThat(j.at("/ccache").asText()).isEqualTo("FILE:" + ccache);
    assertThat(Files.getPosixFilePermissions(ccache)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(lab.kdc.sambaLog())).contains(
        "PKINIT pre-authentication succeeded -- alice\\@keytrust.lab@KEYTRUST.LAB");

    ProcessResult klist = lab.klist(ccache);
    assertThat(klist.exitCode()).as(klist.stderr()).isZero();
    assertThat(klist.stdout()).contains("Default principal: alice@KEYTRUST.LAB",
        "krbtgt/KEYTRUST.LAB@KEYTRUST.LAB", "aes256-cts-hmac-sha1-96");

    ProcessResult kvno = lab.kvno(ccache, "cifs/" + KeyTrustKdc.DC_HOST);
    assertThat(kvno.exitCode()).as(kvno.stderr()).isZero();
    assertThat(kvno.stdout()).contains("cifs/dc.keytrust.lab@KEYTRUST.LAB: kvno = ");

    ProcessResult ldap = lab.ldapSearchWithKerberos(ccache, "(sAMAccountName=alice)");
    assertThat(ldap.exitCode()).as(ldap.stderr() + ldap.stdout()).isZero();
    assertThat(ldap.stdout()).contains("dn: " + alice.dn(), "userPrincipalName: " + alice.upn());
  }

  @Test
  void aSoftwareKeyGetsATgtAndTheTextReportNamesTheCacheAndNoSecret() throws Exception {
    KeyTrustKdc.User bob = lab.kdc.createUser("bob");
    KeyContainer key = lab.createKey(bob.upn(), "software", "rsa2048");
    lab.register(bob, key.publicKey());
    Path ccache = lab.dir.resolve("bob.cc");
    Files.writeString(ccache, "an older cache, replaced whole");

    Run run = lab.kinit(bob.upn(), PIN, ccache).assertNoSecrets();

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("Kerberos Sign-in (PKINIT, key trust)", "software rsa2048",
        "bob@KEYTRUST.LAB", "FILE:" + ccache, "SUCCESS");
    assertThat(run.err()).isEmpty();
    ProcessResult klist = lab.klist(ccache);
    assertThat(klist.exitCode()).as(klist.stderr()).isZero();
    assertThat(klist.stdout()).contains("Default principal: bob@KEYTRUST.LAB");
    ProcessResult kvno = lab.kvno(ccache, "ldap/" + KeyTrustKdc.DC_HOST);
    assertThat(kvno.exitCode()).as(kvno.stderr()).isZero();
    // no temporary file is left next to the cache
    try (var files = Files.list(lab.dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void theAccountNameAndRealmSignInAsWellAsTheUpn() throws Exception {
    KeyTrustKdc.User carol = lab.kdc.createUser("carol");
    KeyContainer key = lab.createKey("carol", "software", "rsa2048");
    lab.register(carol, key.publicKey());
    Path ccache = lab.dir.resolve("carol.cc");

    Run run = lab.kinit("carol", PIN, ccache, "--realm", KeyTrustKdc.REALM).assertNoSecrets();

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(lab.klist(ccache).stdout()).contains("Default principal: carol@KEYTRUST.LAB");
  }
}
