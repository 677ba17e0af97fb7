package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.endpoint.ldap.KeySyncPermissions;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.credential.KeySource;
import dev.keytrust.lab.Lab;
import dev.keytrust.lab.SambaDc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keytrust lab up --samba} as an object: the lab's directory is a Samba AD DC set up as the
 * hybrid key trust guide says (KeyCredential Admins with the inheritable grant, a sync account in
 * it), and both the lab sync job and the LDAP endpoint of {@code ldap.cred} bind as that account.
 * Needs root and Samba (installed by scripts/install-deps.sh); runs under CI, skipped elsewhere
 * when Samba is missing.
 */
class LabOnSambaTest {

  @Test
  void registeredKeysReachTheDcThroughTheSyncAccountAndTheEndpointWritesAsIt(@TempDir Path dir)
      throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(SambaDc.installed()).as("Samba is installed (scripts/install-deps.sh)").isTrue();
    }
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    long pid;
    try (Lab lab = Lab.start(new Lab.Options(dir.resolve("lab"), Duration.ofMinutes(30), null,
        false, true), new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      SambaDc dc = lab.samba().orElseThrow();
      pid = dc.pid();
      String out = printed.toString(StandardCharsets.UTF_8);
      assertThat(out).contains("ldaps: " + dc.ldapsUri() + " (Samba AD DC").doesNotContain("ldap: ldap://");
      assertThat(lab.directory()).isEmpty();
      assertThat(Files.readString(lab.ldapCredentials()))
          .contains("bind-dn=CN=" + Lab.SAMBA_SYNC_ACCOUNT + ",CN=Users," + SambaDc.BASE_DN);

      Map<String, String> ldapSettings = Map.of("credentials-file", lab.ldapCredentials().toString(),
          "ca-file", lab.caFile().toString());
      KeySyncPermissions.Report permissions = KeySyncPermissions.check(lab.ldapsUri(),
          new EndpointSettings(ldapSettings), KeySyncPermissions.DEFAULT_GROUP, null);
      assertThat(permissions.granted()).as(permissions.lines().toString()).isTrue();

      Lab.User alice = lab.user("alice@keytrust.lab");
      KeyRegistration r = registration(alice);
      try (KeyRegistrationEndpoint drs = KeyRegistrationEndpoints.open(lab.keyService().baseUri(),
          new EndpointSettings(Map.of("token-file", alice.tokenFile().toString(), "ca-file",
              lab.caFile().toString())))) {
        drs.register(r);
      }
      assertThat(lab.sync().runOnce().added()).isEqualTo(1);
      List<String> values = dc.keyCredentialLinks(alice.dn());
      assertThat(values).hasSize(1);
      KeyCredential synced = KeyCredential.parse(DnBinary.parse(values.get(0)).binary());
      assertThat(synced.source()).contains(KeySource.AZURE_AD);
      assertThat(synced.keyId()).hasValueSatisfying(id -> assertThat(id).isEqualTo(r.keyId()));

      // the LDAP endpoint of the lab's files writes as the same account (an AD-source value)
      KeyRegistration direct = registration(lab.user("bob@keytrust.lab"));
      try (KeyRegistrationEndpoint ldap = KeyRegistrationEndpoints.open(lab.ldapsUri(),
          new EndpointSettings(ldapSettings))) {
        assertThat(ldap.register(direct).alreadyPresent()).isFalse();
      }
      assertThat(dc.keyCredentialLinks(lab.user("bob@keytrust.lab").dn())).hasSize(1);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  private static KeyRegistration registration(Lab.User user) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    KeyCredential kc = KeyCredential.build(g.generateKeyPair().getPublic(),
        KeyCredentialOptions.userKey(user.deviceId(), now));
    return new KeyRegistration(user.upn(), null, kc.keyMaterial().orElseThrow().encoded(),
        kc.keyId().orElseThrow(), kc.toByteArray(), user.deviceId(), now);
  }
}
