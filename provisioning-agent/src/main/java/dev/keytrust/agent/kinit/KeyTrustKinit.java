package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Windows Hello for Business key trust sign-in to Active Directory: Kerberos PKINIT (RFC 4556)
 * with the user's TPM-bound key and no user certificate from a CA. It returns the user's
 * ticket-granting ticket; {@link FileCredentialCache} writes it for MIT/Heimdal tools.
 *
 * <pre>{@code
 * try (HelloKeys keys = HelloKeys.open(TpmUri.parse("device:/dev/tpmrm0"), KeyContainerStore.defaultRoot())) {
 *   KeyTrustKinit kinit = KeyTrustKinit.builder()
 *       .signer(HelloKeySigner.of(keys, "alice@example.com", pin))
 *       .account(KinitAccount.of("alice@example.com", null))      // realm EXAMPLE.COM
 *       .kdc(KdcAddress.parse("dc1.example.com"))
 *       .trust(KdcTrust.fromFile(Path.of("/etc/keytrust/enterprise-ca.pem")))
 *       .build();
 *   try (KerberosCredentials tgt = kinit.signIn()) {
 *     FileCredentialCache.write(Path.of("/tmp/krb5cc_1000"), tgt);
 *   }
 * } finally {
 *   Arrays.fill(pin, '\0');
 * }
 * }</pre>
 *
 * <p>What {@link #signIn()} does, in order:
 *
 * <ol>
 *   <li>makes the certificate around the user's key (self-signed, valid from 5 minutes ago for 10
 *       minutes, keyUsage digitalSignature, the UPN as subjectAltName): the key's first signature,
 *       so a wrong PIN or a lockout fails here, before anything is sent;
 *   <li>asks the KDC without pre-authentication, to learn that it offers PKINIT, its freshness
 *       token (RFC 8070) and its time: a clock further off than {@link KinitBuilder.Options#maxClockSkew}
 *       stops here;
 *   <li>sends the AS-REQ with PA-PK-AS-REQ: an AuthPack (PKAuthenticator with paChecksum and the
 *       freshness token, an ephemeral MODP group 14 Diffie-Hellman public value) signed by the key
 *       as CMS SignedData;
 *   <li>checks the reply: the KDC's certificate must chain to the trusted CA, carry the KDC EKU
 *       and name the realm's KDC ({@link KdcTrust}); the CMS signature and the nonce must verify.
 *       Only then is the DH reply key derived and the AS-REP decrypted; its nonce must be the
 *       request's.
 * </ol>
 *
 * <p>The PIN, the private key, the DH private key and the session key are never logged or put in a
 * message. Not thread safe; one sign-in at a time per instance.
 */
public final class KeyTrustKinit {
  private static final Logger LOG = LoggerFactory.getLogger(KeyTrustKinit.class);

  private final PkinitSigner signer;
  private final KinitAccount account;
  private final KdcAddress kdc;
  private final KdcTransport transport;
  private final KdcTrust trust;
  private final Clock clock;
  private final SecureRandom random;
  private final Duration maxClockSkew;

  KeyTrustKinit(PkinitSigner signer, KinitAccount account, KdcAddress kdc, KdcTransport transport,
      KdcTrust trust, Clock clock, SecureRandom random, Duration maxClockSkew) {
    this.signer = signer;
    this.account = account;
    this.kdc = kdc;
    this.transport = transport;
    this.trust = trust;
    this.clock = clock;
    this.random = random;
    this.maxClockSkew = maxClockSkew;
  }

  /** The first stage of the builder: signer, account, KDC and trust are mandatory, in that order. */
  public static KinitBuilder.SignerStage builder() {
    return KinitBuilder.start();
  }

  public KinitAccount account() {
    return account;
  }

  public KdcAddress kdc() {
    return kdc;
  }

  /**
   * Signs in and returns the TGT.
   *
   * @throws KeytrustException the key's errors before anything is sent (WRONG_PIN with the tries
   *     left, LOCKED_OUT, TPM errors), then KINIT_KDC_UNREACHABLE, KINIT_CLOCK_SKEW,
   *     KINIT_PKINIT_NOT_OFFERED, the KDC's refusals (KINIT_KEY_NOT_TRUSTED, KINIT_NAME_MISMATCH,
   *     KINIT_PRINCIPAL_UNKNOWN, KINIT_KEY_ALGORITHM_UNSUPPORTED, KINIT_KDC_ERROR) and the reply
   *     checks (KINIT_KDC_CERT_UNTRUSTED, KINIT_KDC_CERT_NOT_KDC, KINIT_KDC_CERT_WRONG_NAME,
   *     KINIT_KDC_REPLY_INVALID)
   */
  public KerberosCredentials signIn() throws KeytrustException {
    String keyDescription = "key " + keyId() + " (" + (signer.isRsa() ? "RSA" : "EC P-256") + ")";
    KdcRefusals refusals = new KdcRefusals(account, kdc, keyDescription, signer.isRsa(), maxClockSkew);

    // 1. the certificate: the key's first signature, so the PIN is checked before any request
    long t0 = System.nanoTime();
    Instant now = clock.instant();
    X509CertificateHolder certificate = ClientCertificate.create(signer, account.upn(), now, random);
    LOG.debug("certificate for {} made around {}", account.upn(), keyDescription);

    // 2. the probe: does the KDC offer PKINIT, what is its freshness token and its time
    long t1 = System.nanoTime();
    AsRequest probe = AsRequest.forTgt(account.client(), now, nonce31());
    byte[] first = transport.exchange(probe.probe());
    Instant received = clock.instant();
    KdcError preauth = expectError(first, refusals, received);
    if (preauth.code() != KdcError.PREAUTH_REQUIRED) {
      throw refusals.of(preauth, received);
    }
    if (ClockSkew.tooLarge(received, preauth.kdcTime(), maxClockSkew)) {
      throw ClockSkew.error(received, preauth.kdcTime(), maxClockSkew, kdc);
    }
    if (PaEntry.find(preauth.methodData(), PaType.PK_AS_REQ).isEmpty()) {
      throw refusals.notOffered();
    }
    Optional<byte[]> freshness = PaEntry.find(preauth.methodData(), PaType.AS_FRESHNESS)
        .map(PaEntry::value).filter(v -> v.length > 0);
    LOG.debug("KDC {} offers PKINIT{}", kdc, freshness.isPresent() ? " with a freshness token" : "");

    // 3. the PKINIT request
    long t2 = System.nanoTime();
    Instant at = clock.instant();
    // one nonce for the request body and the PKAuthenticator, as MIT's and Heimdal's clients do:
    // Windows and Samba answer with the PKAuthenticator's in EncASRepPart, RFC 4120 with the body's
    int nonce = nonce31();
    AsRequest request = AsRequest.forTgt(account.client(), at, nonce);
    DhKeyExchange dh = DhKeyExchange.generate(random);
    long authNonce = nonce;
    PkAuthenticator authenticator = new PkAuthenticator(at.getNano() / 1000, at, authNonce,
        request.paChecksum(), freshness);
    byte[] paPkAsReq = SignedAuthPack.paPkAsReq(
        AuthPack.encode(authenticator, dh.subjectPublicKeyInfo()), certificate, signer, at);
    long t3 = System.nanoTime();
    byte[] answer = transport.exchange(request.withPkinit(paPkAsReq));
    long t4 = System.nanoTime();
    Instant answered = clock.instant();
    if (answer.length > 0 && (answer[0] & 0xFF) == KdcError.TAG) {
      throw refusals.of(parseError(answer), answered);
    }

    // 4. the reply: nothing in it is used before the KDC's signature and certificate are checked
    AsReply reply;
    try {
      reply = AsReply.parse(answer);
    } catch (IOException e) {
      throw KdcDhReply.invalid(kdc, "it is no AS-REP (" + e.getMessage() + ")");
    }
    byte[] paPkAsRep = PaEntry.find(reply.padata(), PaType.PK_AS_REP).map(PaEntry::value)
        .orElseThrow(() -> KdcDhReply.invalid(kdc, "the AS-REP carries no PA-PK-AS-REP"));
    KdcDhReply dhReply = KdcDhReply.verify(paPkAsRep, authNonce, trust, answered, account.realm(), kdc);
    if (!Enctypes.accepted(reply.encEtype())) {
      throw KdcDhReply.invalid(kdc, "its reply is encrypted with " + Enctypes.name(reply.encEtype())
          + ", which was not asked for");
    }
    byte[] z = null;
    byte[] replyKey = null;
    ReplyEncPart part;
    try {
      z = dh.sharedSecret(dhReply.kdcPublicValue());
      replyKey = ReplyKey.derive(z, new byte[0], dhReply.serverDhNonce().orElse(new byte[0]),
          reply.encEtype());
      part = ReplyEncPart.decrypt(reply, replyKey);
    } catch (IllegalArgumentException | IOException e) {
      throw KdcDhReply.invalid(kdc, e.getMessage());
    } finally {
      wipe(z);
      wipe(replyKey);
    }
    try {
      if (part.nonce() != nonce) {
        throw KdcDhReply.invalid(kdc, "its encrypted part answers another request (nonce)");
      }
      KerberosName tgs = KerberosName.tgs(account.realm());
      if (!part.server().sameName(tgs)) {
        throw KdcDhReply.invalid(kdc, "the ticket is for " + part.server() + ", not " + tgs);
      }
      if (!Enctypes.accepted(part.sessionKey().etype())) {
        throw KdcDhReply.invalid(kdc, "the session key is " + part.sessionKey().etypeName()
            + ", which was not asked for");
      }
    } catch (AgentException e) {
      part.sessionKey().close();
      throw e;
    }
    PkinitDetails details = new PkinitDetails(kdc,
        dhReply.kdcCertificate().getSubjectX500Principal().getName(),
        dhReply.kdcCertificate().getIssuerX500Principal().getName(), DhKeyExchange.GROUP_NAME,
        freshness.isPresent(), reply.encEtype());
    LOG.info("TGT for {} from {} (KDC certificate {}), until {}", reply.client(), kdc,
        details.kdcCertificateSubject(), part.times().endTime());
    LOG.debug("sign-in in {} ms: certificate {}, probe {}, request built and signed {}, KDC {},"
        + " reply checked and decrypted {}", ms(System.nanoTime() - t0), ms(t1 - t0), ms(t2 - t1),
        ms(t3 - t2), ms(t4 - t3), ms(System.nanoTime() - t4));
    return new KerberosCredentials(reply.client(), part.server(), part.sessionKey(), part.times(),
        part.flags(), part.addresses(), reply.ticket(), details);
  }

  private KdcError expectError(byte[] answer, KdcRefusals refusals, Instant received) throws AgentException {
    if (answer.length > 0 && (answer[0] & 0xFF) == AsReply.TAG) {
      throw new AgentException(AgentErrorCode.KINIT_KDC_REPLY_INVALID, "The KDC at " + kdc
          + " issued a ticket for " + account.describe() + " without pre-authentication (the account"
          + " does not require it): keytrust does not use such a reply, which no key of the user"
          + " protects. Ask the domain's administrators to require pre-authentication.");
    }
    return parseError(answer);
  }

  private KdcError parseError(byte[] answer) throws AgentException {
    try {
      return KdcError.parse(answer);
    } catch (IOException e) {
      throw KdcDhReply.invalid(kdc, "its answer is neither AS-REP nor KRB-ERROR");
    }
  }

  private int nonce31() {
    return random.nextInt() & 0x7FFFFFFF;
  }

  /** The key's KeyID (SHA-256 of its BCRYPT blob, as msDS-KeyCredentialLink names it), Base64. */
  private String keyId() throws KeytrustException {
    return Base64.getEncoder().encodeToString(BcryptKeyBlob.keyId(signer.publicKey()));
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static void wipe(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }
}
