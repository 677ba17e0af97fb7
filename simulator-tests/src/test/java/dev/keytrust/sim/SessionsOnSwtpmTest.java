package dev.keytrust.sim;

import static dev.keytrust.sim.SessionWire.PARAMETERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.TpmCommandException;
import dev.keytrust.error.WrongPinException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.PinAuth;
import dev.keytrust.lab.DictionaryAttackAdmin;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.secret.TestPins;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.DictionaryAttackState;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmObjects;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.session.ObjectBlobs;
import dev.keytrust.tpm.session.ParentKey;
import dev.keytrust.tpm.session.SessionOperations;
import dev.keytrust.tpm.session.TransportChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The salted HMAC session layer ({@code dev.keytrust.tpm.session}) against swtpm, tried the way an
 * attacker on the TPM's socket would: every byte of every exchange is recorded and searched for
 * the secrets, responses are changed in flight, and wrong auth values are sent. Each test runs for
 * the RSA SRK (0x81000001) and the ECC P-256 SRK (0x81000002), the user key of the same algorithm.
 */
class SessionsOnSwtpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();
  static final byte[] NO_LOCKOUT_AUTH = new byte[0];
  /** Long and non-ASCII, so that its bytes cannot turn up by chance in 8-byte windows of random data. */
  static final String PIN = "pin-735194-ü";

  final SecureRandom random = new SecureRandom();
  SessionConnection tpm;
  RecordingTransport wire;
  TpmSession session; // swtpm serves one client: the session and the channel share the one connection
  TransportChannel channel;
  SessionOperations ops;

  @BeforeEach
  void open() throws Exception {
    tpm = SessionConnection.open(SWTPM);
    wire = tpm.wire;
    session = tpm.session;
    channel = tpm.channel;
    ops = tpm.ops;
    DictionaryAttackAdmin.resetLockout(session);
    DictionaryAttackAdmin.setParameters(session, 5, Duration.ofSeconds(1000), Duration.ofSeconds(1000));
  }

  @AfterEach
  void close() throws Exception {
    try {
      SessionWire.assertNothingLoaded(channel);
      DictionaryAttackAdmin.resetLockout(session);
    } finally {
      tpm.close();
    }
  }

  ParentKey srk(KeyAlgorithm alg) throws KeytrustException {
    return tpm.srk(alg);
  }

  byte[] salt() {
    byte[] s = new byte[PinAuth.SALT_LENGTH];
    random.nextBytes(s);
    return s;
  }

  static byte[] sha256(byte[] message) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(message);
  }

  static boolean verifies(KeyAlgorithm alg, ObjectBlobs key, byte[] message, byte[] signature) throws Exception {
    Signature v = Signature.getInstance(alg.jcaSignatureAlgorithm());
    v.initVerify(TpmObjects.publicKey(key.publicArea()));
    v.update(message);
    return v.verify(signature);
  }

  static Map<String, byte[]> secrets(SecretBuffer auth, byte[]... more) {
    Map<String, byte[]> m = new java.util.LinkedHashMap<>();
    m.put("the auth value", auth.copy(InsecureSecretAccess.get()));
    m.put("the PIN's UTF-8 bytes", PIN.getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < more.length; i++) {
      m.put("secret " + i, more[i]);
    }
    return m;
  }

  static void notAuthentic(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_RESPONSE_NOT_AUTHENTIC))
        .hasMessageContaining("Nothing from it was used");
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void createLoadAndSignThroughSaltedSessionsAndNoSecretCrossesTheWire(KeyAlgorithm alg) throws Exception {
    ParentKey srk = srk(alg);
    byte[] message = "sign-in challenge".getBytes(StandardCharsets.UTF_8);
    try (SecretBuffer auth = PinAuth.derive(TestPins.pin(PIN), salt())) {
      wire.start();
      ObjectBlobs key = ops.createSigningKey(srk, alg.tpmKeyType(), auth);
      byte[] first = ops.sign(srk, key, auth, sha256(message));
      byte[] second = ops.sign(srk, key, auth, sha256(message));
      List<RecordingTransport.Exchange> seen = wire.stop();

      assertThat(verifies(alg, key, message, first)).isTrue();
      assertThat(verifies(alg, key, message, second)).isTrue();
      assertThat(verifies(alg, key, "another challenge".getBytes(StandardCharsets.UTF_8), first)).isFalse();
      // the key is the user key keytrust makes: fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign, no noDA
      byte[] pub = key.publicArea();
      assertThat(java.nio.ByteBuffer.wrap(pub, 4, 4).getInt()).isEqualTo(0x00040072);

      assertThat(SessionWire.codes(seen)).containsExactly(
          0x173, 0x176, 0x153, 0x165,                 // ReadPublic(SRK), StartAuthSession, Create, Flush(session)
          0x173, 0x176, 0x157, 0x15D, 0x165, 0x165,   // ReadPublic, StartAuthSession, Load, Sign, Flush(key), Flush(session)
          0x173, 0x176, 0x157, 0x15D, 0x165, 0x165);
      SessionWire.assertOnlyHmacSessions(seen);
      SessionWire.assertNoSecretOnTheWire(seen, secrets(auth));
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void sealAndUnsealThroughEncryptedSessionsAndNoSecretCrossesTheWire(KeyAlgorithm alg) throws Exception {
    ParentKey srk = srk(alg);
    byte[] secret = new byte[64];
    random.nextBytes(secret);
    try (SecretBuffer auth = PinAuth.derive(TestPins.pin(PIN), salt());
        SecretBuffer data = SecretBuffer.copyOf(secret)) {
      wire.start();
      ObjectBlobs sealed = ops.createSealedObject(srk, auth, data);
      try (SecretBuffer unsealed = ops.unseal(srk, sealed, auth)) {
        List<RecordingTransport.Exchange> seen = wire.stop();
        assertThat(unsealed.copy(InsecureSecretAccess.get())).isEqualTo(secret);
        assertThat(SessionWire.codes(seen)).containsExactly(
            0x173, 0x176, 0x153, 0x165, 0x173, 0x176, 0x157, 0x15E, 0x165, 0x165);
        SessionWire.assertOnlyHmacSessions(seen);
        SessionWire.assertNoSecretOnTheWire(seen, secrets(auth, secret));
      }
      // a sealed data object, DA-protected: fixedTPM|fixedParent|userWithAuth, no noDA
      assertThat(java.nio.ByteBuffer.wrap(sealed.publicArea(), 4, 4).getInt()).isEqualTo(0x00000052);
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aChangedSignResponseIsRefusedWhereverTheByteIs(KeyAlgorithm alg) throws Exception {
    ParentKey srk = srk(alg);
    try (SecretBuffer auth = PinAuth.derive(TestPins.pin(PIN), salt())) {
      ObjectBlobs key = ops.createSigningKey(srk, alg.tpmKeyType(), auth);
      byte[] digest = sha256(new byte[] {1, 2, 3});
      // in the signature (TPMT_SIGNATURE: sigAlg, hash, then the first TPM2B's data)
      wire.tamperOnce(SessionWire.TPM_CC_SIGN, RecordingTransport.flipByteAt(PARAMETERS + 4 + 2 + 5));
      notAuthentic(() -> ops.sign(srk, key, auth, digest));
      // in the response HMAC (the last field)
      wire.tamperOnce(SessionWire.TPM_CC_SIGN, RecordingTransport.flipByteAt(-1));
      notAuthentic(() -> ops.sign(srk, key, auth, digest));
      // in the new nonceTPM (the response auth area: nonce TPM2B, attributes, HMAC TPM2B of 32)
      wire.tamperOnce(SessionWire.TPM_CC_SIGN, RecordingTransport.flipByteAt(-(2 + 32 + 1 + 5)));
      notAuthentic(() -> ops.sign(srk, key, auth, digest));
      // in the Load response's name, and in the Create response's outPublic
      wire.tamperOnce(SessionWire.TPM_CC_LOAD, RecordingTransport.flipByteAt(PARAMETERS + 2 + 10));
      notAuthentic(() -> ops.sign(srk, key, auth, digest));
      wire.tamperOnce(SessionWire.TPM_CC_CREATE, RecordingTransport.flipByteAt(PARAMETERS + 2 + 300));
      notAuthentic(() -> ops.createSigningKey(srk, alg.tpmKeyType(), auth));
      assertThat(wire.tampered()).isEqualTo(5);
      SessionWire.assertNothingLoaded(channel);
      // untouched, it works
      assertThat(verifies(alg, key, new byte[] {1, 2, 3}, ops.sign(srk, key, auth, digest))).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aChangedUnsealResponseIsRefusedAndNothingIsReturned(KeyAlgorithm alg) throws Exception {
    ParentKey srk = srk(alg);
    byte[] secret = "the user's sealed secret, 40 bytes long!".getBytes(StandardCharsets.US_ASCII);
    try (SecretBuffer auth = PinAuth.derive(TestPins.pin(PIN), salt());
        SecretBuffer data = SecretBuffer.copyOf(secret)) {
      ObjectBlobs sealed = ops.createSealedObject(srk, auth, data);
      // in the encrypted payload: without the HMAC check it would decrypt to a secret with one byte changed
      wire.tamperOnce(SessionWire.TPM_CC_UNSEAL, RecordingTransport.flipByteAt(PARAMETERS + 2 + 7));
      notAuthentic(() -> ops.unseal(srk, sealed, auth));
      // in its size: the response no longer parses
      wire.tamperOnce(SessionWire.TPM_CC_UNSEAL, RecordingTransport.flipByteAt(PARAMETERS + 1));
      assertThatThrownBy(() -> ops.unseal(srk, sealed, auth)).isInstanceOfSatisfying(KeytrustException.class,
          e -> assertThat(e.code()).isIn(CoreErrorCode.TPM_TRANSPORT, CoreErrorCode.TPM_RESPONSE_NOT_AUTHENTIC));
      // in the HMAC
      wire.tamperOnce(SessionWire.TPM_CC_UNSEAL, RecordingTransport.flipByteAt(-1));
      notAuthentic(() -> ops.unseal(srk, sealed, auth));
      SessionWire.assertNothingLoaded(channel);
      try (SecretBuffer unsealed = ops.unseal(srk, sealed, auth)) {
        assertThat(unsealed.copy(InsecureSecretAccess.get())).isEqualTo(secret);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aChangedStartAuthSessionResponseFailsOnTheSrkAndSpendsNoPinTry(KeyAlgorithm alg) throws Exception {
    ParentKey srk = srk(alg);
    try (SecretBuffer auth = PinAuth.derive(TestPins.pin(PIN), salt())) {
      ObjectBlobs key = ops.createSigningKey(srk, alg.tpmKeyType(), auth);
      int before = session.dictionaryAttackState().lockoutCounter();
      // TPM2_StartAuthSession's response has no HMAC (there is no session key yet): change nonceTPM
      // (after the header and the session handle: its size, then its bytes)
      wire.tamperOnce(SessionWire.TPM_CC_START_AUTH_SESSION, RecordingTransport.flipByteAt(10 + 4 + 2 + 5));
      assertThatThrownBy(() -> ops.sign(srk, key, auth, sha256(new byte[] {6})))
          .isInstanceOfSatisfying(TpmCommandException.class, e -> {
            // the first command of the session, on the SRK (noDA): TPM_RC_BAD_AUTH for session 1
            assertThat(e.command()).isEqualTo("TPM2_Load");
            assertThat(e.responseCode()).isEqualTo(0x9A2);
          });
      assertThat(session.dictionaryAttackState().lockoutCounter()).isEqualTo(before);
    }
  }

  @Test
  void aWrongAuthValueFailsTheHmacAtTheTpmAndCountsAgainstDictionaryAttackAsBefore() throws Exception {
    ParentKey srk = srk(KeyAlgorithm.ECC_P256);
    byte[] digest = sha256(new byte[] {4});
    byte[] keySalt = salt();
    try (SecretBuffer auth = PinAuth.derive(TestPins.pin(PIN), keySalt);
        SecretBuffer wrong = PinAuth.derive(TestPins.pin("pin-000000"), keySalt);
        SecretBuffer data = SecretBuffer.copyOf(new byte[] {42})) {
      ObjectBlobs key = ops.createSigningKey(srk, KeyAlgorithm.ECC_P256.tpmKeyType(), auth);
      ObjectBlobs sealed = ops.createSealedObject(srk, auth, data);
      int before = session.dictionaryAttackState().lockoutCounter();

      assertThatThrownBy(() -> ops.sign(srk, key, wrong, digest))
          .isInstanceOfSatisfying(TpmCommandException.class, e -> {
            assertThat(e.responseCode()).isEqualTo(0x98E); // TPM_RC_AUTH_FAIL, session 1
            assertThat(e.command()).isEqualTo("TPM2_Sign");
          });
      assertThat(session.dictionaryAttackState().lockoutCounter()).isEqualTo(before + 1);
      assertThatThrownBy(() -> ops.unseal(srk, sealed, wrong))
          .isInstanceOfSatisfying(TpmCommandException.class, e -> {
            assertThat(e.responseCode()).isEqualTo(0x98E);
            assertThat(e.command()).isEqualTo("TPM2_Unseal");
          });
      assertThat(session.dictionaryAttackState().lockoutCounter()).isEqualTo(before + 2);

      // the same key through TpmSession (the same sessions, the TPM's code mapped to a wrong PIN) counts the same way
      LoadableKey loadable = new LoadableKey(srk.handle(), srk.name(), key.publicArea(), key.privateArea());
      assertThatThrownBy(() -> session.signDigest(loadable, wrong, digest))
          .isInstanceOfSatisfying(WrongPinException.class, e -> assertThat(e.triesLeft()).hasValue(5 - before - 3));
      DictionaryAttackState da = session.dictionaryAttackState();
      assertThat(da.lockoutCounter()).isEqualTo(before + 3);
      // and the right auth value still works through the session, the key having been made by it
      assertThat(verifies(KeyAlgorithm.ECC_P256, key, new byte[] {4}, ops.sign(srk, key, auth, digest))).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void authValuesEndingInZeroBytesWork(KeyAlgorithm alg) throws Exception {
    ParentKey srk = srk(alg);
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    raw[0] = 1;
    raw[30] = 0;
    raw[31] = 0; // the TPM drops trailing zeros of an auth value in HMAC keys; so must keytrust
    try (SecretBuffer auth = SecretBuffer.copyOf(raw);
        SecretBuffer data = SecretBuffer.copyOf(new byte[] {7})) {
      ObjectBlobs key = ops.createSigningKey(srk, alg.tpmKeyType(), auth);
      assertThat(verifies(alg, key, new byte[] {9}, ops.sign(srk, key, auth, sha256(new byte[] {9})))).isTrue();
      ObjectBlobs sealed = ops.createSealedObject(srk, auth, data);
      try (SecretBuffer out = ops.unseal(srk, sealed, auth)) {
        assertThat(out.copy(InsecureSecretAccess.get())).containsExactly(7);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void changeAuthGivesTheObjectANewAuthValueWithoutSendingEither(KeyAlgorithm alg) throws Exception {
    ParentKey srk = srk(alg);
    byte[] secret = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    try (SecretBuffer oldAuth = PinAuth.derive(TestPins.pin(PIN), salt());
        SecretBuffer newAuth = PinAuth.derive(TestPins.pin("new-pin-482913"), salt());
        SecretBuffer data = SecretBuffer.copyOf(secret)) {
      ObjectBlobs key = ops.createSigningKey(srk, alg.tpmKeyType(), oldAuth);
      ObjectBlobs sealed = ops.createSealedObject(srk, oldAuth, data);
      wire.start();
      ObjectBlobs rekeyed = ops.changeAuth(srk, key, oldAuth, newAuth);
      ObjectBlobs resealed = ops.changeAuth(srk, sealed, oldAuth, newAuth);
      List<RecordingTransport.Exchange> seen = wire.stop();
      SessionWire.assertOnlyHmacSessions(seen);
      Map<String, byte[]> both = secrets(oldAuth, newAuth.copy(InsecureSecretAccess.get()));
      SessionWire.assertNoSecretOnTheWire(seen, both);

      assertThat(rekeyed.publicArea()).isEqualTo(key.publicArea());
      assertThat(verifies(alg, key, new byte[] {5}, ops.sign(srk, rekeyed, newAuth, sha256(new byte[] {5})))).isTrue();
      try (SecretBuffer out = ops.unseal(srk, resealed, newAuth)) {
        assertThat(out.copy(InsecureSecretAccess.get())).isEqualTo(secret);
      }
      int before = session.dictionaryAttackState().lockoutCounter();
      assertThatThrownBy(() -> ops.sign(srk, rekeyed, oldAuth, sha256(new byte[] {5})))
          .isInstanceOfSatisfying(TpmCommandException.class, e -> assertThat(e.responseCode()).isEqualTo(0x98E));
      assertThat(session.dictionaryAttackState().lockoutCounter()).isEqualTo(before + 1);
    }
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingIsSent() throws Exception {
    ParentKey srk = srk(KeyAlgorithm.ECC_P256);
    try (SecretBuffer auth = SecretBuffer.copyOf(new byte[33]);
        SecretBuffer ok = SecretBuffer.copyOf(new byte[] {1});
        SecretBuffer big = SecretBuffer.copyOf(new byte[129])) {
      wire.start();
      assertThatThrownBy(() -> ops.createSigningKey(srk, KeyAlgorithm.ECC_P256.tpmKeyType(), auth))
          .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.INVALID_ARGUMENT));
      assertThatThrownBy(() -> ops.createSealedObject(srk, ok, big))
          .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.INVALID_ARGUMENT));
      ObjectBlobs noKey = new ObjectBlobs(Arrays.copyOf(new byte[] {0, 1}, 2), new byte[] {0, 0});
      assertThatThrownBy(() -> ops.sign(srk, noKey, ok, new byte[32])).isInstanceOf(KeytrustException.class);
      assertThat(wire.stop()).isEmpty();
    }
  }
}
