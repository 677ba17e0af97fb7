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
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.kdc.KdcCertificates;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code keytrust lab up --kdc} as an object: the lab's directory is the lab KDC; the sync job
 * writes a key registered at the lab's DRS-style service into alice's msDS-KeyCredentialLink there
 * (as the sync account), which Samba 4.24's KDC does not take for PKINIT (its CustomKeyInformation
 * parser, see the test); the LDAP endpoint of the lab's files writes bob's key there as the sync
 * account, and bob signs in with it by key trust (Heimdal's {@code kinit -C} in the chroot). Needs
 * root and debootstrap (or a cached KDC root); runs under CI, skipped elsewhere without them.
 */
class LabWithKdcTest {

  @Test
  void theSyncJobAndTheLdapEndpointWriteToTheKdcAndTheEndpointsKeySignsIn() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(KeyTrustKdc.unavailableReason()).as("the lab KDC can run here").isEmpty();
    }
    // not @TempDir: deleted only after a check that nothing is mounted under it
    Path dir = Files.createTempDirectory("keytrust-lab-kdc-test-");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    String address;
    KeyTrustKdc stopped;
    try {
      try (Lab lab = Lab.start(new Lab.Options(dir.resolve("lab"), Duration.ofMinutes(30), null,
          false, false, true), new PrintStream(printed, true, StandardCharsets.UTF_8))) {
        KeyTrustKdc kdc = lab.kdc().orElseThrow();
        Path root = kdc.root();
        address = kdc.address();
        stopped = kdc;
        assertThat(kdc.isRunning()).isTrue();
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("realm: KEYTRUST.LAB", "kdc: " + kdc.address() + ":88",
            "kdc-ca-file: " + kdc.caFile(), "krb5-config: " + kdc.krb5Conf(),
            "kdc-root: " + root, "ldaps: " + kdc.ldapsUri(), "ldaps-ca-file: " + kdc.caFile())
            .containsPattern("kdc-progress: \\[ *[0-9.]+s\\] provision");
        assertThat(Files.readString(lab.dir().resolve("lab.env")))
            .contains("KEYTRUST_LAB_KRB5_CONFIG='" + kdc.krb5Conf() + "'");
        assertThat(lab.directory()).isEmpty();
        assertThat(lab.ldapsCaFile()).isEqualTo(kdc.caFile());
        // the guide's key-sync set-up, as keytrust's permission check reads it on Samba 4.24
        KeySyncPermissions.Report permissions = KeySyncPermissions.check(lab.ldapsUri(),
            new EndpointSettings(Map.of("credentials-file", lab.ldapCredentials().toString(),
                "ca-file", lab.ldapsCaFile().toString())), KeySyncPermissions.DEFAULT_GROUP, null);
        assertThat(permissions.granted()).as(permissions.lines().toString()).isTrue();

        // a key registered at the DRS-style service reaches the KDC through the sync job
        Lab.User alice = lab.user("alice@keytrust.lab");
        KeyPair key = KdcCertificates.rsa2048();
        try (KeyRegistrationEndpoint drs = KeyRegistrationEndpoints.open(
            lab.keyService().baseUri(), new EndpointSettings(Map.of(
                "token-file", alice.tokenFile().toString(), "ca-file", lab.caFile().toString())))) {
          drs.register(registration(alice, key));
        }
        assertThat(lab.sync().runOnce().added()).isEqualTo(1);
        List<String> values = kdc.keyCredentialLinks(alice.dn());
        assertThat(values).hasSize(1);
        assertThat(KeyCredential.parse(DnBinary.parse(values.get(0)).binary()).source())
            .contains(KeySource.AZURE_AD);

        // Samba 4.24's KDC does not take that value: the lab sync writes Entra's 15-byte
        // CustomKeyInformation (FekKeyVersion 0, 9 reserved bytes), and Samba's parser wants the
        // extended form of MS-ADTS 2.2.20.3 (FekKeyVersion 1, 10 reserved bytes), so it skips the
        // whole value: "Client has no public keys", KDC_ERR_CLIENT_NOT_TRUSTED. Pinned here, so a
        // change on either side shows.
        ProcessResult synced = kinit(kdc, "alice", key, alice.upn());
        assertThat(synced.exitCode()).isNotZero();
        assertThat(synced.stderr()).contains("Client not trusted");
        assertThat(Files.readString(kdc.sambaLog())).contains("Invalid fekKeyVersion of (0x00)",
            "PKINIT: Client has no public keys");

        // the LDAP endpoint of the lab's files writes as the sync account too, and the KDC takes
        // that value (keytrust's own KEYCREDENTIALLINK_BLOB, KeySource AD): key trust sign-in
        Lab.User bob = lab.user("bob@keytrust.lab");
        KeyPair bobKey = KdcCertificates.rsa2048();
        try (KeyRegistrationEndpoint ldap = KeyRegistrationEndpoints.open(lab.ldapsUri(),
            new EndpointSettings(Map.of("credentials-file", lab.ldapCredentials().toString(),
                "ca-file", lab.ldapsCaFile().toString())))) {
          assertThat(ldap.register(registration(bob, bobKey)).alreadyPresent()).isFalse();
        }
        assertThat(kdc.keyCredentialLinks(bob.dn())).hasSize(1);
        ProcessResult direct = kinit(kdc, "bob", bobKey, bob.upn());
        assertThat(direct.exitCode()).as(direct.stderr() + direct.stdout()).isZero();
      }
      // the lab's close stopped the KDC and unmounted its chroot
      assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(dir.toString());
      assertThat(KeyTrustKdc.listening(address, 88)).isFalse();
      assertThat(stopped.isRunning()).isFalse();
    } finally {
      KeyTrustKdc.deleteState(dir);
    }
  }

  /** Heimdal's kinit -C in the KDC's chroot as {@code user} with a certificate around {@code key}. */
  private static ProcessResult kinit(KeyTrustKdc kdc, String user, KeyPair key, String upn) {
    return kdc.runInRoot(List.of(kdc.heimdalTool("kinit"), "-C",
        kdc.writeKeyTrustIdentity(user, key, upn), user + "@" + KeyTrustKdc.REALM),
        Map.of("KRB5CCNAME", "FILE:/tmp/" + user + ".cc"), Duration.ofSeconds(60));
  }

  private static KeyRegistration registration(Lab.User user, KeyPair key) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    KeyCredential kc = KeyCredential.build(key.getPublic(),
        KeyCredentialOptions.userKey(user.deviceId(), now));
    return new KeyRegistration(user.upn(), null, kc.keyMaterial().orElseThrow().encoded(),
        kc.keyId().orElseThrow(), kc.toByteArray(), user.deviceId(), now);
  }
}
