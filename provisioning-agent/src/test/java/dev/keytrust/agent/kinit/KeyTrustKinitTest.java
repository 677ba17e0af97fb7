package dev.keytrust.agent.kinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.WrongPinException;
import dev.keytrust.key.MutableClock;
import dev.keytrust.secret.InsecureSecretAccess;
import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.asn1.DERUTF8String;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyTrustKinit} against {@link FakeKdc}: the request it builds (certificate, AuthPack,
 * CMS, freshness token, DH group 14, paChecksum) and what it does with the replies (the checks of
 * the KDC's certificate, signature and nonces, the decryption, the KDC's errors), with no KDC.
 */
class KeyTrustKinitTest {
  private static final JcaSigner ALICE = new JcaSigner(TestPki.rsa());

  private TestPki pki;
  private FakeKdc kdc;
  private MutableClock clock;

  @BeforeEach
  void setUp() throws Exception {
    pki = TestPki.enterprise();
    kdc = new FakeKdc(pki.kdc(FakeKdc.REALM));
    clock = new MutableClock(Instant.now());
  }

  private KeyTrustKinit kinit(PkinitSigner signer, KdcTrust trust) throws Exception {
    return KeyTrustKinit.builder()
        .signer(signer)
        .account(KinitAccount.of("alice@example.com", null))
        .kdc(KdcAddress.parse("dc1.example.com"), kdc)
        .trust(trust)
        .clock(clock)
        .build();
  }

  private KerberosCredentials signIn() throws Exception {
    return kinit(ALICE, KdcTrust.of(List.of(pki.ca))).signIn();
  }

  private ErrorCode refusal() {
    Throwable t = catchThrowable(() -> signIn().close());
    assertThat(t).isInstanceOf(KeytrustException.class);
    String message = t.getMessage();
    assertThat(message).doesNotContain("\n");
    return ((KeytrustException) t).code();
  }

  @Test
  void aKdcThatAnswersRightGivesTheTgtWithItsSessionKeyAndTimes() throws Exception {
    try (KerberosCredentials tgt = signIn()) {
      assertThat(tgt.client()).isEqualTo(new KerberosName(1, List.of("alice"), FakeKdc.REALM));
      assertThat(tgt.server().toString()).isEqualTo("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
      assertThat(tgt.sessionKey().etype()).isEqualTo(18);
      assertThat(tgt.sessionKey().copy(InsecureSecretAccess.get())).isEqualTo(FakeKdc.SESSION_KEY);
      assertThat(tgt.flags().names()).containsExactly("forwardable", "renewable", "initial",
          "pre-authent", "enc-pa-rep");
      assertThat(tgt.times().endTime()).isAfter(tgt.times().startTime());
      assertThat(tgt.times().renewTill()).isPresent();
      assertThat(tgt.ticket()).isEqualTo(kdc.ticket);
      assertThat(tgt.details().freshnessToken()).isTrue();
      assertThat(tgt.details().kdcCertificateSubject()).isEqualTo("CN=kdc");
      assertThat(tgt.toString()).doesNotContain("5a5a", "5A5A");
    }
    assertThat(kdc.requests).hasSize(2);
    assertThat(ALICE.signatures.get()).isPositive();
  }

  @Test
  void theRequestCarriesTheFreshnessTokenAChecksumOfTheBodyAndGroup14() throws Exception {
    signIn().close();
    assertThat(ASN1OctetString.getInstance(kdc.pkAuthenticator.get(4)).getOctets())
        .isEqualTo(FakeKdc.FRESHNESS_TOKEN);
    assertThat(ASN1OctetString.getInstance(kdc.pkAuthenticator.get(3)).getOctets())
        .isEqualTo(MessageDigest.getInstance("SHA-1").digest(kdc.requestBody));
    assertThat(kdc.dhParameters.getP()).isEqualTo(DhKeyExchange.P);
    assertThat(kdc.dhParameters.getP().bitLength()).isEqualTo(2048);
    assertThat(kdc.dhParameters.getG()).isEqualTo(BigInteger.TWO);
    assertThat(kdc.dhParameters.getQ()).isEqualTo(DhKeyExchange.P.subtract(BigInteger.ONE).shiftRight(1));
    // ctime is the clock's
    Instant ctime = ASN1GeneralizedTime.getInstance(kdc.pkAuthenticator.get(1)).getDate().toInstant();
    assertThat(Duration.between(ctime, clock.instant()).abs()).isLessThan(Duration.ofSeconds(2));
    // PK-AS-REQ, PAC request, and an empty PA-AS-FRESHNESS saying the client takes tokens
    assertThat(kdc.requestPaTypes).containsExactly(16, 128, 150);
    // the PKAuthenticator's nonce is the request body's (what Windows and Samba echo)
    int bodyNonce = ASN1Integer.getInstance(FakeKdc.fields(org.bouncycastle.asn1.ASN1Primitive
        .fromByteArray(kdc.requestBody)).get(7)).intValueExact();
    assertThat(ASN1Integer.getInstance(kdc.pkAuthenticator.get(2)).getValue().longValueExact())
        .isEqualTo(bodyNonce);
  }

  @Test
  void withoutAFreshnessTokenTheRequestCarriesNone() throws Exception {
    kdc.sendFreshness = false;
    try (KerberosCredentials tgt = signIn()) {
      assertThat(tgt.details().freshnessToken()).isFalse();
    }
    assertThat(kdc.pkAuthenticator).doesNotContainKey(4);
  }

  @Test
  void theCertificateIsSelfSignedAroundTheKeyWithTheUpnAndDigitalSignatureForAShortTime() throws Exception {
    signIn().close();
    var cert = kdc.clientCertificate;
    assertThat(cert.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(ALICE.publicKey().getEncoded());
    assertThat(cert.getIssuer()).isEqualTo(cert.getSubject());
    assertThat(cert.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
        .build(ALICE.publicKey()))).isTrue();
    Extension ku = cert.getExtension(Extension.keyUsage);
    assertThat(ku.isCritical()).isTrue();
    assertThat(KeyUsage.getInstance(ku.getParsedValue()).hasUsages(KeyUsage.digitalSignature)).isTrue();
    GeneralName san = GeneralNames.getInstance(cert.getExtension(Extension.subjectAlternativeName)
        .getParsedValue()).getNames()[0];
    OtherName upn = OtherName.getInstance(san.getName());
    assertThat(upn.getTypeID().getId()).isEqualTo("1.3.6.1.4.1.311.20.2.3");
    assertThat(DERUTF8String.getInstance(upn.getValue()).getString()).isEqualTo("alice@example.com");
    Date now = Date.from(clock.instant());
    assertThat(cert.getNotBefore()).isBefore(now);
    assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
        .isLessThanOrEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void aWrongPinSendsNothing() throws Exception {
    PkinitSigner wrongPin = new PkinitSigner() {
      @Override
      public PublicKey publicKey() {
        return ALICE.publicKey();
      }

      @Override
      public byte[] sign(byte[] data) throws KeytrustException {
        throw new WrongPinException(3, "Wrong PIN: 3 tries left.");
      }
    };
    Throwable t = catchThrowable(() -> kinit(wrongPin, KdcTrust.of(List.of(pki.ca))).signIn());
    assertThat(t).isInstanceOf(WrongPinException.class);
    assertThat(kdc.requests).isEmpty();
  }

  @Test
  void aKdcCertificateFromAnotherCaIsRefused() throws Exception {
    Throwable t = catchThrowable(() -> kinit(ALICE, KdcTrust.of(List.of(TestPki.other().ca))).signIn());
    assertThat(((KeytrustException) t).code()).isEqualTo(AgentErrorCode.KINIT_KDC_CERT_UNTRUSTED);
    assertThat(t.getMessage()).contains("does not chain", "not used");
  }

  @Test
  void anExpiredKdcCertificateIsRefused() throws Exception {
    kdc.kdc = pki.kdc(true, FakeKdc.REALM, List.of(), Instant.now().minus(Duration.ofDays(10)),
        Instant.now().minus(Duration.ofDays(1)));
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_CERT_UNTRUSTED);
  }

  @Test
  void aKdcCertificateWithoutTheKdcEkuIsRefused() throws Exception {
    kdc.kdc = pki.kdc(false, FakeKdc.REALM, List.of(), Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(1)));
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_CERT_NOT_KDC);
  }

  @Test
  void aKdcCertificateForAnotherRealmIsRefusedButTheDomainOrHostNameIsAccepted() throws Exception {
    kdc.kdc = pki.kdc(true, "OTHER.COM", List.of("dc9.other.com"), Instant.now().minus(Duration.ofDays(1)),
        Instant.now().plus(Duration.ofDays(1)));
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_CERT_WRONG_NAME);
    // Active Directory's "Kerberos Authentication" certificates: DNS names of the DC and domain
    for (String dns : List.of("example.com", "DC1.example.com")) {
      kdc.kdc = pki.kdc(true, null, List.of(dns), Instant.now().minus(Duration.ofDays(1)),
          Instant.now().plus(Duration.ofDays(1)));
      signIn().close();
    }
  }

  @Test
  void aBrokenKdcSignatureIsRefused() throws Exception {
    kdc.tamperSignature = true;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_REPLY_INVALID);
  }

  @Test
  void aReplyToAnotherRequestIsRefused() throws Exception {
    kdc.dhNonceDelta = 1;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_REPLY_INVALID);
    kdc.dhNonceDelta = 0;
    kdc.encNonceDelta = 1;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_REPLY_INVALID);
  }

  @Test
  void aTicketForAnotherServiceIsRefused() throws Exception {
    kdc.sname = "host";
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_REPLY_INVALID);
  }

  @Test
  void aes128AndTheWindowsEncPartTagAndNoEncryptedPaDataAreRead() throws Exception {
    kdc.encEtype = 17;
    kdc.encTag = 26;
    kdc.encryptedPaData = false;
    try (KerberosCredentials tgt = signIn()) {
      assertThat(tgt.details().replyKeyEtype()).isEqualTo(17);
    }
  }

  @Test
  void theKdcsErrorsBecomeOneLineThatSaysWhatToDo() throws Exception {
    kdc.pkinitError = 62;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KEY_NOT_TRUSTED);
    kdc.pkinitError = 75;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_NAME_MISMATCH);
    kdc.pkinitError = 18;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_ERROR);
    kdc.pkinitError = 0;
    kdc.probeError = 6;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_PRINCIPAL_UNKNOWN);
    kdc.probeError = 0;
    kdc.offerPkinit = false;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_PKINIT_NOT_OFFERED);
  }

  @Test
  void aP256KeyRefusedByTheKdcIsExplained() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    JcaSigner p256 = new JcaSigner(g.generateKeyPair());
    kdc.pkinitError = 31; // what Samba 4.24 answers: it cannot verify ECDSA
    Throwable t = catchThrowable(() -> kinit(p256, KdcTrust.of(List.of(pki.ca))).signIn());
    assertThat(((KeytrustException) t).code()).isEqualTo(AgentErrorCode.KINIT_KEY_ALGORITHM_UNSUPPORTED);
    assertThat(t.getMessage()).contains("EC P-256", "RSA keys only", "rsa2048");
  }

  @Test
  void aClockOffByMoreThanTheSkewStopsAfterTheProbeSayingByHowMuch() throws Exception {
    kdc.clock = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(-7));
    Throwable t = catchThrowable(() -> signIn().close());
    assertThat(((KeytrustException) t).code()).isEqualTo(AgentErrorCode.KINIT_CLOCK_SKEW);
    assertThat(t.getMessage()).containsPattern("clock is 7 min( [0-9]+ s)? ahead of the KDC's")
        .contains("allows 5 min");
    assertThat(kdc.requests).hasSize(1); // the probe only
  }

  @Test
  void theKdcsOwnSkewErrorSaysByHowMuchToo() throws Exception {
    kdc.pkinitError = 37;
    kdc.clock = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(3));
    Throwable t = catchThrowable(() -> signIn().close());
    assertThat(((KeytrustException) t).code()).isEqualTo(AgentErrorCode.KINIT_CLOCK_SKEW);
    assertThat(t.getMessage()).containsPattern("clock is (2 min [0-9]+ s|3 min( [0-9] s)?) behind");
  }

  @Test
  void aKdcCertificateCheckUsesTheInjectedClock() throws Exception {
    X509Certificate c = kdc.certificate();
    clock.set(c.getNotAfter().toInstant().plus(Duration.ofHours(1)));
    kdc.clock = clock;
    assertThat(refusal()).isEqualTo(AgentErrorCode.KINIT_KDC_CERT_UNTRUSTED);
  }
}
