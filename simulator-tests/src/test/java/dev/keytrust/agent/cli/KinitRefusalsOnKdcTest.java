package dev.keytrust.agent.cli;

import static dev.keytrust.agent.cli.KinitLab.PIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.keytrust.agent.cli.KinitLab.Run;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.kinit.HelloKeySigner;
import dev.keytrust.agent.kinit.KdcAddress;
import dev.keytrust.agent.kinit.KdcTrust;
import dev.keytrust.agent.kinit.KerberosCredentials;
import dev.keytrust.agent.kinit.KerberosName;
import dev.keytrust.agent.kinit.KeyTrustKinit;
import dev.keytrust.agent.kinit.KinitAccount;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What {@code keytrust kinit} refuses, against the real KDC (Samba 4.24): each refusal is one line
 * with a stable code and what to do, exit 1, and no credential cache is written. A wrong PIN and a
 * lockout send nothing (a relay in front of the KDC counts no connection). A KDC certificate from
 * another CA, without the KDC EKU or for another realm is refused and the reply is not used: for the
 * last two a relay signs the real KDC's reply with a certificate of the test's own CA. Clock skew
 * uses a clock the test sets. Runs under CI always; elsewhere skipped without root and debootstrap
 * (or a cached KDC root).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KinitRefusalsOnKdcTest {
  private KinitLab lab;

  @BeforeAll
  void startKdc() throws Exception {
    assumeThat(KinitLab.available()).as("the lab KDC can run here (root, debootstrap)").isTrue();
    lab = KinitLab.start(Files.createTempDirectory("keytrust-kinit-refusals-"), "KinitRefusalsOnKdcTest");
  }

  @AfterAll
  void stopKdc() {
    if (lab != null) {
      lab.close();
    }
  }

  private static void assertRefused(Run run, AgentErrorCode code, Path ccache) {
    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.err().strip()).startsWith("keytrust: ").endsWith("[" + code.id() + "]")
        .doesNotContain("\n").doesNotContain("Exception");
    assertThat(run.out()).isEmpty();
    assertThat(ccache).doesNotExist();
  }

  @Test
  void aKeyNeverRegisteredIsNotTrustedAndTheMessageSaysSyncOrStatus() throws Exception {
    KeyTrustKdc.User dave = lab.kdc.createUser("dave");
    lab.createKey(dave.upn(), "software", "rsa2048");
    Path ccache = lab.dir.resolve("dave.cc");

    Run run = lab.kinit(dave.upn(), PIN, ccache, "--tpm", "software").assertNoSecrets();

    assertRefused(run, AgentErrorCode.KINIT_KEY_NOT_TRUSTED, ccache);
    assertThat(run.err()).contains("KDC_ERR_CLIENT_NOT_TRUSTED (62)", "not synced yet or removed",
        "keytrust sync-watch", "keytrust status");
    assertThat(Files.readString(lab.kdc.sambaLog())).contains("Client has no public keys");
  }

  @Test
  void aKeyRemovedFromTheDirectoryNoLongerSignsIn() throws Exception {
    KeyTrustKdc.User erin = lab.kdc.createUser("erin");
    KeyContainer key = lab.createKey(erin.upn(), "software", "rsa2048");
    KeyRegistration registration = lab.register(erin, key.publicKey());
    Path before = lab.dir.resolve("erin-before.cc");
    assertThat(lab.kinit(erin.upn(), PIN, before).exit()).isZero();

    lab.unregister(erin, registration); // what keytrust reset does at the LDAP endpoint
    Path after = lab.dir.resolve("erin-after.cc");
    Run run = lab.kinit(erin.upn(), PIN, after).assertNoSecrets();

    assertRefused(run, AgentErrorCode.KINIT_KEY_NOT_TRUSTED, after);
    assertThat(run.err()).contains("not synced yet or removed");
  }

  @Test
  void aWrongPinAndALockoutSendNothingToTheKdc() throws Exception {
    KeyTrustKdc.User frank = lab.kdc.createUser("frank");
    KeyContainer key = lab.createKey(frank.upn(), "software", "rsa2048");
    lab.register(frank, key.publicKey());
    Path ccache = lab.dir.resolve("frank.cc");
    try (KdcProxy relay = new KdcProxy(lab.kdc.kdcAddress())) {
      Run wrong = lab.kinit(frank.upn(), "Wrong-Pin-000", ccache, "--kdc", relay.address());
      assertThat(wrong.exit()).isEqualTo(1);
      assertThat(wrong.err()).contains("Wrong PIN", "tries left", "[KT-0201]")
          .doesNotContain("Wrong-Pin-000");
      assertThat(relay.connections()).as("connections to the KDC").isZero();

      Run locked = null;
      for (int i = 0; i < 10 && (locked == null || !locked.err().contains("[KT-0202]")); i++) {
        locked = lab.kinit(frank.upn(), "Wrong-Pin-000", ccache, "--kdc", relay.address());
      }
      assertThat(locked.err()).contains("[KT-0202]");
      Run lockedRightPin = lab.kinit(frank.upn(), PIN, ccache, "--kdc", relay.address()).assertNoSecrets();
      assertThat(lockedRightPin.err()).contains("[KT-0202]");
      assertThat(relay.connections()).as("connections to the KDC").isZero();
      assertThat(ccache).doesNotExist();
    }
    // the relay does reach the KDC: the right PIN of another key signs in through it
    KeyTrustKdc.User grace = lab.kdc.createUser("grace");
    KeyContainer graceKey = lab.createKey(grace.upn(), "software", "rsa2048");
    lab.register(grace, graceKey.publicKey());
    try (KdcProxy relay = new KdcProxy(lab.kdc.kdcAddress())) {
      Run ok = lab.kinit(grace.upn(), PIN, ccache, "--kdc", relay.address());
      assertThat(ok.exit()).as(ok.err()).isZero();
      assertThat(relay.connections()).isEqualTo(2); // the probe, then the PKINIT request
    }
  }

  @Test
  void aKdcCertificateFromAnotherCaIsRefusedAndTheIssuedTicketNotUsed() throws Exception {
    KeyTrustKdc.User heidi = registeredUser("heidi");
    Path otherCa = new TestKdcPki().writeCa(lab.dir.resolve("other-ca.pem"));
    Path ccache = lab.dir.resolve("heidi.cc");

    Run run = lab.kinit(heidi.upn(), PIN, ccache, "--kdc-ca", otherCa.toString()).assertNoSecrets();

    assertRefused(run, AgentErrorCode.KINIT_KDC_CERT_UNTRUSTED, ccache);
    assertThat(run.err()).contains("does not chain to the trusted KDC CA", "not used", "--kdc-ca");
    // the KDC did issue a TGT; keytrust did not use the reply
    assertThat(Files.readString(lab.kdc.sambaLog())).contains("AS-REQ SUCCESS")
        .contains("heidi\\@keytrust.lab@KEYTRUST.LAB krbtgt/KEYTRUST.LAB@KEYTRUST.LAB");
  }

  @Test
  void aKdcCertificateWithoutTheKdcEkuOrForAnotherRealmIsRefused() throws Exception {
    KeyTrustKdc.User ivan = registeredUser("ivan");
    TestKdcPki pki = new TestKdcPki();
    Path ca = pki.writeCa(lab.dir.resolve("relay-ca.pem"));
    Path ccache = lab.dir.resolve("ivan.cc");

    // control: the relay's re-signing with a proper KDC certificate of its CA is accepted
    try (KdcProxy relay = new KdcProxy(lab.kdc.kdcAddress(),
        new ReplyResigner(pki.kdc(true, KeyTrustKdc.REALM, KeyTrustKdc.DC_HOST)))) {
      Run ok = lab.kinit(ivan.upn(), PIN, ccache, "--kdc", relay.address(), "--kdc-ca", ca.toString());
      assertThat(ok.exit()).as(ok.err()).isZero();
      assertThat(lab.klist(ccache).exitCode()).isZero();
      Files.delete(ccache);
    }
    try (KdcProxy relay = new KdcProxy(lab.kdc.kdcAddress(),
        new ReplyResigner(pki.kdc(false, KeyTrustKdc.REALM, KeyTrustKdc.DC_HOST)))) {
      Run noEku = lab.kinit(ivan.upn(), PIN, ccache, "--kdc", relay.address(), "--kdc-ca", ca.toString());
      assertRefused(noEku, AgentErrorCode.KINIT_KDC_CERT_NOT_KDC, ccache);
      assertThat(noEku.err()).contains("without the KDC extended key usage", "not used");
    }
    try (KdcProxy relay = new KdcProxy(lab.kdc.kdcAddress(),
        new ReplyResigner(pki.kdc(true, "OTHER.TEST", "dc1.other.test")))) {
      Run otherName = lab.kinit(ivan.upn(), PIN, ccache, "--kdc", relay.address(), "--kdc-ca",
          ca.toString());
      assertRefused(otherName, AgentErrorCode.KINIT_KDC_CERT_WRONG_NAME, ccache);
      assertThat(otherName.err()).contains("krbtgt/OTHER.TEST@OTHER.TEST", "not used");
    }
  }

  @Test
  void aCertificateNamingAnotherAccountsUpnIsANameMismatch() throws Exception {
    KeyTrustKdc.User judy = registeredUser("judy");
    lab.kdc.createUser("mike");
    // judy's key, asked for as judy, but the certificate names mike's UPN
    KinitAccount mismatch = new KinitAccount("mike@" + KeyTrustKdc.DOMAIN,
        new KerberosName(KerberosName.NT_PRINCIPAL, List.of("judy"), KeyTrustKdc.REALM));

    Throwable t = catchThrowable(() -> signIn(judy, mismatch, Duration.ZERO,
        KinitBuilderDefaults.SKEW).close());

    assertThat(t).isInstanceOfSatisfying(KeytrustException.class, e -> {
      assertThat(e.code()).isEqualTo(AgentErrorCode.KINIT_NAME_MISMATCH);
      assertThat(e.getMessage()).contains("KDC_ERR_CLIENT_NAME_MISMATCH (75)",
          "mike@keytrust.lab", "not the account's userPrincipalName");
    });
  }

  @Test
  void aP256KeyIsExplainedNotARawKdcError() throws Exception {
    KeyTrustKdc.User ken = lab.kdc.createUser("ken");
    KeyContainer key = lab.createKey(ken.upn(), "software", "p256");
    lab.register(ken, key.publicKey());
    Path ccache = lab.dir.resolve("ken.cc");

    Run run = lab.kinit(ken.upn(), PIN, ccache).assertNoSecrets();

    assertRefused(run, AgentErrorCode.KINIT_KEY_ALGORITHM_UNSUPPORTED, ccache);
    assertThat(run.err()).contains("EC P-256", "RSA keys only", "no ECDSA", "rsa2048");
  }

  @Test
  void aClockTooFarFromTheKdcsIsReportedWithTheDifference() throws Exception {
    KeyTrustKdc.User leo = registeredUser("leo");
    for (Duration offset : List.of(Duration.ofMinutes(10), Duration.ofMinutes(-10))) {
      KeytrustException e = kinitWithClock(leo, offset, KinitBuilderDefaults.SKEW);
      assertThat(e.code()).isEqualTo(AgentErrorCode.KINIT_CLOCK_SKEW);
      assertThat(e.getMessage()).contains(offset.isNegative() ? "behind" : "ahead of")
          .containsPattern("clock is 10 min( [0-9] s)? ").contains("allows 5 min");
    }
    // allowed a skew of an hour, the request goes out and the KDC refuses it (the certificate is
    // not valid yet by its clock): still reported as the clock's difference
    KeytrustException kdcSide = kinitWithClock(leo, Duration.ofMinutes(10), Duration.ofHours(1));
    assertThat(kdcSide.code()).isEqualTo(AgentErrorCode.KINIT_CLOCK_SKEW);
    // two minutes off is within Kerberos' five
    try (KerberosCredentials tgt = signIn(leo, Duration.ofMinutes(2), KinitBuilderDefaults.SKEW)) {
      assertThat(tgt.client().toString()).isEqualTo("leo@KEYTRUST.LAB");
    }
  }

  /** The defaults of the builder, named for the test. */
  private static final class KinitBuilderDefaults {
    static final Duration SKEW = dev.keytrust.agent.kinit.KinitBuilder.DEFAULT_MAX_CLOCK_SKEW;
  }

  private KeyTrustKdc.User registeredUser(String name) throws Exception {
    KeyTrustKdc.User user = lab.kdc.createUser(name);
    KeyContainer key = lab.createKey(user.upn(), "software", "rsa2048");
    lab.register(user, key.publicKey());
    return user;
  }

  private KeytrustException kinitWithClock(KeyTrustKdc.User user, Duration offset, Duration maxSkew) {
    Throwable t = catchThrowable(() -> signIn(user, offset, maxSkew).close());
    assertThat(t).isInstanceOf(KeytrustException.class);
    return (KeytrustException) t;
  }

  private KerberosCredentials signIn(KeyTrustKdc.User user, Duration offset, Duration maxSkew)
      throws Exception {
    return signIn(user, KinitAccount.of(user.upn(), null), offset, maxSkew);
  }

  private KerberosCredentials signIn(KeyTrustKdc.User user, KinitAccount account, Duration offset,
      Duration maxSkew) throws Exception {
    Pin pin = TestPins.pin(PIN);
    try (HelloKeys keys = HelloKeys.open(TpmUri.parse("software"), lab.store)) {
      return KeyTrustKinit.builder()
          .signer(HelloKeySigner.of(keys, user.upn(), pin))
          .account(account)
          .kdc(KdcAddress.parse(lab.kdc.address()))
          .trust(KdcTrust.fromFile(lab.kdc.caFile()))
          .clock(Clock.offset(Clock.systemUTC(), offset))
          .maxClockSkew(maxSkew)
          .build()
          .signIn();
    } finally {
      pin.destroy();
    }
  }
}
