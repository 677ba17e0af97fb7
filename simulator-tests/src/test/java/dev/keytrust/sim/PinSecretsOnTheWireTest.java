package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.flow.FlowTestKit.ScriptedPins;
import dev.keytrust.agent.flow.HelloKeysFactory;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.flow.RecordingEndpoint;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.PinAuth;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.key.SealedSecret;
import dev.keytrust.key.TpmKeyBlobs;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.lab.ClosingKeyProvider;
import dev.keytrust.lab.DictionaryAttackAdmin;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.lab.Tpm2Tools;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.AttestationCommands;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The PIN's protection end to end, through the real {@link HelloKeys} and the real provisioning
 * flow on swtpm, tried the way an attacker would: every byte between keytrust and the TPM is
 * recorded (one {@link RecordingTransport} per connection keytrust opens) and searched for the
 * PINs, the keys' auth values, the sealed history's auth values and its secrets; a response byte is
 * flipped in flight; the SRK is swapped; and the state folder is taken away and attacked without
 * the TPM. Every test runs for the RSA SRK (0x81000001) and the P-256 SRK (0x81000002).
 */
class PinSecretsOnTheWireTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();
  static final String PIN = FlowTestKit.PIN;
  static final String PIN2 = FlowTestKit.PIN2;
  static final String USER = FlowTestKit.USER;
  static final int TPM_CC_OBJECT_CHANGE_AUTH = 0x150;
  static final int TPM_CC_CREATE_PRIMARY = 0x131;
  static final int TPM_CC_EVICT_CONTROL = 0x120;
  static final int TPM_CC_CERTIFY = 0x148;

  @TempDir Path work;
  Path storeRoot;
  /** Everything every connection of the test exchanged, in order. */
  final List<RecordingTransport.Exchange> wire = new ArrayList<>();
  /** A response to change on the connections opened while it is set. */
  int tamperCode = -1;
  UnaryOperator<byte[]> tamper;
  int tampered;

  @BeforeEach
  void resetLockout() throws Exception {
    storeRoot = work.resolve("store");
    try (TpmSession s = TpmSession.open(TpmUri.parse(SWTPM.swtpm().tpmUri()))) {
      DictionaryAttackAdmin.setParameters(s, 32, Duration.ofSeconds(600), Duration.ofSeconds(600));
      DictionaryAttackAdmin.resetLockout(s);
    }
  }

  TpmUri tpmUri() throws KeytrustException {
    return TpmUri.parse(SWTPM.swtpm().tpmUri());
  }

  /** {@link FlowTestKit#keys} whose TPM connections are recorded (and tampered with, when asked). */
  HelloKeysFactory recordedKeys() {
    HelloKeysFactory plain = FlowTestKit.keys(storeRoot);
    return tpm -> {
      if (tpm.isSoftware()) {
        return plain.open(tpm);
      }
      RecordingTransport rt = new RecordingTransport(TpmTransports.open(tpm, TpmTransports.DEFAULT_IO_TIMEOUT));
      if (tamperCode >= 0) {
        int code = tamperCode;
        UnaryOperator<byte[]> change = tamper;
        rt.tamperOnce(code, r -> {
          tampered++;
          tamperCode = -1;
          return change.apply(r);
        });
      }
      rt.start();
      TpmSession session = TpmSession.open(rt, true);
      KeyContainerStore store = new KeyContainerStore(storeRoot);
      return HelloKeys.of(store, new ClosingKeyProvider(new TpmKeyProvider(session), () -> {
        wire.addAll(rt.stop());
        session.close();
      }), session.describe());
    };
  }

  ProvisioningFlow.Builder flow(KeyAlgorithm alg, ScriptedPins pins) throws Exception {
    return FlowTestKit.flow(storeRoot, work, tpmUri(), pins, new RecordingEndpoint(work.resolve("endpoint")),
            new AtomicInteger())
        .keys(recordedKeys())
        .algorithm(alg)
        .policies(FlowTestKit.policy(work.resolve("policy"), "PINComplexity/History = 5",
            "RequireSecurityDevice = 1"));
  }

  Path historyFile() throws Exception {
    try (Stream<Path> files = Files.list(work.resolve("state"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("pin-history-")).findFirst().orElseThrow();
    }
  }

  static String field(Path file, String name) throws Exception {
    return Files.readAllLines(file).stream().filter(l -> l.startsWith(name + "=")).findFirst().orElseThrow()
        .substring(name.length() + 1);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] derive(String pin, byte[] salt) throws KeytrustException {
    try (Pin p = TestPins.pin(pin); SecretBuffer auth = PinAuth.derive(p, salt)) {
      return auth.copy(InsecureSecretAccess.get());
    }
  }

  /** The sealed data object in a {@link SealedSecret#encode()} line: its blobs and its auth salt (the body's last 16 bytes). */
  record SealedObject(LoadableKey blobs, byte[] authSalt) {
    static SealedObject of(String encoded) throws KeytrustException {
      SealedSecret s = SealedSecret.decode(encoded);
      assertThat(s.provider()).isEqualTo(ProviderKind.TPM);
      ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(encoded.substring(encoded.lastIndexOf(':') + 1)));
      int handle = b.getInt();
      byte[][] parts = new byte[3][];
      for (int i = 0; i < 3; i++) {
        parts[i] = new byte[b.getShort() & 0xFFFF];
        b.get(parts[i]);
      }
      byte[] salt = new byte[16];
      b.get(salt);
      assertThat(b.hasRemaining()).isFalse();
      return new SealedObject(new LoadableKey(handle, parts[0], parts[1], parts[2]), salt);
    }

    /** What the TPM releases with the PIN (on an unrecorded connection, after the recorded run). */
    byte[] unseal(TpmUri tpm, String pin) throws KeytrustException {
      try (TpmSession s = TpmSession.open(tpm); SecretBuffer auth = SecretBuffer.copyOf(derive(pin, authSalt));
          SecretBuffer secret = s.unseal(blobs, auth)) {
        return secret.copy(InsecureSecretAccess.get());
      }
    }
  }

  /**
   * Every command that carries or proves a PIN-derived auth value (Create, Load, Sign, Unseal,
   * ObjectChangeAuth) uses an HMAC session; the only password sessions on the wire are the SRK's
   * creation with the owner's empty authorization.
   */
  static void assertPinCommandsUseHmacSessions(List<RecordingTransport.Exchange> seen) {
    for (RecordingTransport.Exchange e : seen) {
      if (e.tag() != 0x8002) {
        continue;
      }
      int code = e.commandCode();
      int handles = switch (code) {
        case SessionWire.TPM_CC_CREATE, SessionWire.TPM_CC_LOAD, SessionWire.TPM_CC_SIGN, SessionWire.TPM_CC_UNSEAL,
            TPM_CC_CREATE_PRIMARY -> 1;
        case TPM_CC_OBJECT_CHANGE_AUTH, TPM_CC_EVICT_CONTROL -> 2;
        default -> throw new AssertionError(String.format("unexpected command 0x%X with sessions", code));
      };
      ByteBuffer b = ByteBuffer.wrap(e.command());
      int at = 10 + 4 * handles + 4;
      int session = b.getInt(at);
      if (code == TPM_CC_CREATE_PRIMARY || code == TPM_CC_EVICT_CONTROL) {
        assertThat(session).isEqualTo(SessionWire.TPM_RS_PW);
        int nonce = b.getShort(at + 4) & 0xFFFF;
        assertThat(b.getShort(at + 4 + 2 + nonce + 1) & 0xFFFF).as("the owner's password").isZero();
      } else {
        assertThat(session >>> 24).as("session of command 0x%X", code).isEqualTo(0x02);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void keyCreateAndSignSendNeitherThePinNorTheAuthValue(KeyAlgorithm alg) throws Exception {
    byte[] message = utf8("sign-in challenge");
    KeyContainer key;
    try (HelloKeys keys = recordedKeys().open(tpmUri())) {
      key = keys.create("alice", alg, TestPins.pin(PIN));
      keys.sign("alice", message, TestPins.pin(PIN));
      keys.sign("alice", message, TestPins.pin(PIN));
    }
    TpmKeyBlobs blobs = (TpmKeyBlobs) key.protectedKey();
    assertThat(blobs.parentHandle()).isEqualTo(alg.tpmKeyType().srkHandle());
    Map<String, byte[]> secrets = new LinkedHashMap<>();
    secrets.put("the PIN's UTF-8", utf8(PIN));
    secrets.put("the key's auth value", derive(PIN, blobs.authSalt()));
    assertThat(SessionWire.codes(wire)).contains(SessionWire.TPM_CC_START_AUTH_SESSION, SessionWire.TPM_CC_CREATE,
        SessionWire.TPM_CC_LOAD, SessionWire.TPM_CC_SIGN);
    SessionWire.assertNoSecretOnTheWire(wire, secrets);
    assertPinCommandsUseHmacSessions(wire);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void certifyingTheKeyForAttestationSendsNeitherThePinNorTheAuthValue(KeyAlgorithm alg) throws Exception {
    byte[] salt = new byte[PinAuth.SALT_LENGTH];
    new java.security.SecureRandom().nextBytes(salt);
    byte[] nonce = utf8("a verifier's nonce, 32 bytes...");
    RecordingTransport rt = new RecordingTransport(TpmTransports.open(tpmUri(), TpmTransports.DEFAULT_IO_TIMEOUT));
    try (TpmSession session = TpmSession.open(rt, true); Pin pin = TestPins.pin(PIN);
        SecretBuffer auth = PinAuth.derive(pin, salt)) {
      LoadableKey key = session.createSigningKey(alg.tpmKeyType(), auth).key();
      AttestationCommands attest = new AttestationCommands(session);
      LoadableKey ak = attest.createAttestationKey(alg.tpmKeyType());
      rt.start();
      AttestationCommands.Certification c = attest.certify(key, auth, ak, nonce);
      assertThat(c.certifyInfo()).isNotEmpty();
      wire.addAll(rt.stop());
    }
    Map<String, byte[]> secrets = new LinkedHashMap<>();
    secrets.put("the PIN's UTF-8", utf8(PIN));
    secrets.put("the key's auth value", derive(PIN, salt));
    assertThat(SessionWire.codes(wire)).contains(SessionWire.TPM_CC_START_AUTH_SESSION, TPM_CC_CERTIFY);
    SessionWire.assertNoSecretOnTheWire(wire, secrets);
    // the key's authorization is an HMAC session; the attestation key's, the empty password
    for (RecordingTransport.Exchange e : wire) {
      if (e.commandCode() == TPM_CC_CERTIFY) {
        ByteBuffer b = ByteBuffer.wrap(e.command());
        assertThat(b.getInt(10 + 8 + 4) >>> 24).as("the key's session").isEqualTo(0x02);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void provisionAndPinChangeSendNoPinAuthValueOrHistorySecret(KeyAlgorithm alg) throws Exception {
    ProvisioningResult made = flow(alg, ScriptedPins.always(PIN)).build().run(USER);
    assertThat(made.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
    TpmKeyBlobs first = (TpmKeyBlobs) new KeyContainerStore(storeRoot).load(USER).protectedKey();
    String sealedFirst = field(historyFile(), "sealed");
    int provisioned = wire.size();

    ProvisioningResult changed = flow(alg, ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER);
    assertThat(changed.outcome()).isEqualTo(ProvisioningResult.Outcome.PIN_CHANGED);
    TpmKeyBlobs second = (TpmKeyBlobs) new KeyContainerStore(storeRoot).load(USER).protectedKey();
    String sealedSecond = field(historyFile(), "sealed");
    assertThat(sealedSecond).isNotEqualTo(sealedFirst);
    // the PIN change opened the history with the current PIN: TPM2_Unseal went over the wire, encrypted
    assertThat(SessionWire.codes(wire.subList(provisioned, wire.size()))).contains(SessionWire.TPM_CC_UNSEAL);

    SealedObject one = SealedObject.of(sealedFirst);
    SealedObject two = SealedObject.of(sealedSecond);
    assertThat(one.blobs().parentHandle()).isEqualTo(alg.tpmKeyType().srkHandle());
    Map<String, byte[]> secrets = new LinkedHashMap<>();
    secrets.put("the first PIN", utf8(PIN));
    secrets.put("the second PIN", utf8(PIN2));
    secrets.put("the first key's auth value", derive(PIN, first.authSalt()));
    secrets.put("the second key's auth value", derive(PIN2, second.authSalt()));
    secrets.put("the first history seal's auth value", derive(PIN, one.authSalt()));
    secrets.put("the second history seal's auth value", derive(PIN2, two.authSalt()));
    secrets.put("the first history secret", one.unseal(tpmUri(), PIN));
    secrets.put("the second history secret", two.unseal(tpmUri(), PIN2));
    SessionWire.assertNoSecretOnTheWire(wire, secrets);
    assertPinCommandsUseHmacSessions(wire);
  }

  /** The files of a folder and their bytes. */
  static Map<String, byte[]> snapshot(Path dir) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    if (!Files.exists(dir)) {
      return out;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  static void assertSameFiles(Map<String, byte[]> before, Map<String, byte[]> after) {
    assertThat(after.keySet()).isEqualTo(before.keySet());
    before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
  }

  static void notAuthentic(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(KeytrustException.class,
        e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_RESPONSE_NOT_AUTHENTIC));
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aFlippedResponseByteIsATypedErrorAndNothingIsWritten(KeyAlgorithm alg) throws Exception {
    // TPM2_Create of the key: no key is stored
    tamperCode = SessionWire.TPM_CC_CREATE;
    tamper = RecordingTransport.flipByteAt(SessionWire.PARAMETERS + 4);
    try (HelloKeys keys = recordedKeys().open(tpmUri())) {
      notAuthentic(() -> keys.create("bob", alg, TestPins.pin(PIN)));
      assertThat(keys.find("bob")).isEmpty();
    }
    assertThat(tampered).isEqualTo(1);

    flow(alg, ScriptedPins.always(PIN)).build().run(USER);
    Map<String, byte[]> store = snapshot(storeRoot);
    Map<String, byte[]> state = snapshot(work.resolve("state"));
    // TPM2_Sign: no signature comes back
    tamperCode = SessionWire.TPM_CC_SIGN;
    tamper = RecordingTransport.flipByteAt(-1); // the response HMAC's last byte
    try (HelloKeys keys = recordedKeys().open(tpmUri())) {
      notAuthentic(() -> keys.sign(USER, new byte[] {1}, TestPins.pin(PIN)));
    }
    // TPM2_Unseal of the PIN history during a PIN change: the change stops, the key and the history stay
    tamperCode = SessionWire.TPM_CC_UNSEAL;
    tamper = RecordingTransport.flipByteAt(SessionWire.PARAMETERS + 2); // the encrypted secret's first byte
    notAuthentic(() -> flow(alg, ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER));
    assertThat(tampered).isEqualTo(3);
    assertSameFiles(store, snapshot(storeRoot));
    assertSameFiles(state, snapshot(work.resolve("state")));
    // and nothing was spent: the same PIN works, and the change goes through once nobody tampers
    assertThat(flow(alg, ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER).outcome())
        .isEqualTo(ProvisioningResult.Outcome.PIN_CHANGED);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aSwappedSrkGetsNoSaltFromSignOrThePinChange(KeyAlgorithm alg) throws Exception {
    flow(alg, ScriptedPins.always(PIN)).build().run(USER);
    int handle = alg.tpmKeyType().srkHandle();
    String hex = String.format("0x%08X", handle);
    Tpm2Tools tools = SWTPM.tools();
    Path ctx = work.resolve("swapped.ctx");
    tools.run("tpm2_evictcontrol", "-C", "o", "-c", hex);
    tools.run("tpm2_createprimary", "-C", "o", "-g", "sha256",
        "-G", alg == KeyAlgorithm.RSA_2048 ? "rsa2048:null:aes128cfb" : "ecc256:null:aes128cfb",
        "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|decrypt", "-c", ctx.toString());
    tools.run("tpm2_evictcontrol", "-C", "o", "-c", ctx.toString(), hex);
    tools.flushTransient();
    try {
      wire.clear();
      try (HelloKeys keys = recordedKeys().open(tpmUri())) {
        assertThatThrownBy(() -> keys.sign(USER, new byte[] {1}, TestPins.pin(PIN)))
            .isInstanceOfSatisfying(KeytrustException.class,
                e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_SRK_MISMATCH))
            .hasMessageContaining("No session was salted to it");
      }
      assertThatThrownBy(() -> flow(alg, ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER))
          .isInstanceOfSatisfying(KeytrustException.class,
              e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_SRK_MISMATCH));
      assertThat(SessionWire.codes(wire)).doesNotContain(SessionWire.TPM_CC_START_AUTH_SESSION,
          SessionWire.TPM_CC_LOAD, SessionWire.TPM_CC_SIGN, SessionWire.TPM_CC_UNSEAL);
    } finally {
      tools.run("tpm2_evictcontrol", "-C", "o", "-c", hex);
    }
    // keytrust's SRK comes back from its template with the same Name: the key works again
    try (TpmSession s = TpmSession.open(tpmUri())) {
      assertThat(s.storageRootKey(alg.tpmKeyType()).createdNow()).isTrue();
    }
    try (HelloKeys keys = recordedKeys().open(tpmUri())) {
      assertThat(keys.sign(USER, new byte[] {1}, TestPins.pin(PIN))).isNotEmpty();
    }
  }

  // ---- the disk, without the TPM -------------------------------------------------------------

  /**
   * An attacker with the state folder and a PIN to test: everything they can compute from the
   * files alone. (1) The old verifier: Argon2id of the PIN (at the history's cost) under every
   * 16-byte run of every field as the salt, looked for as any 32-byte run of any field. (2) The
   * TPM's view: the PIN-derived auth value (PinAuth) under every 16-byte run as its salt, and
   * SHA-256 of the PIN, each tried as the AES-256-GCM key of every field that could be the list.
   *
   * @return true when some computation confirmed the PIN
   */
  static boolean confirmsFromTheFilesAlone(Map<String, byte[]> files, String pin) throws Exception {
    List<byte[]> fields = new ArrayList<>();
    for (byte[] f : files.values()) {
      fields.add(f);
      for (String line : new String(f, StandardCharsets.UTF_8).split("\n")) {
        int eq = line.indexOf('=');
        String value = eq < 0 ? line : line.substring(eq + 1);
        for (String part : value.split("[,:]")) {
          try {
            byte[] d = Base64.getDecoder().decode(part);
            if (d.length >= 12) {
              fields.add(d);
            }
          } catch (IllegalArgumentException notBase64) {
            // not a value
          }
          if (part.matches("([0-9A-Fa-f]{2}){16,}")) {
            fields.add(HexFormat.of().parseHex(part));
          }
        }
      }
    }
    byte[] pinBytes = utf8(pin);
    dev.keytrust.key.Argon2Parameters cost = new dev.keytrust.key.Argon2Parameters(64, 1, 1); // the kit's history cost
    List<byte[]> keys = new ArrayList<>();
    keys.add(java.security.MessageDigest.getInstance("SHA-256").digest(pinBytes));
    for (byte[] f : fields) {
      for (int i = 0; i + 16 <= f.length; i++) {
        byte[] salt = java.util.Arrays.copyOfRange(f, i, i + 16);
        byte[] verifier = cost.deriveKey(pinBytes, salt);
        for (byte[] g : fields) {
          if (SessionWire.indexOf(g, verifier) >= 0) {
            return true;
          }
        }
        keys.add(derive(pin, salt));
      }
    }
    for (byte[] list : fields) {
      if (list.length <= 16) {
        continue;
      }
      for (byte[] nonceField : fields) {
        if (nonceField.length != 12) {
          continue;
        }
        for (byte[] k : keys) {
          try {
            javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            c.init(javax.crypto.Cipher.DECRYPT_MODE, new javax.crypto.spec.SecretKeySpec(k, "AES"),
                new javax.crypto.spec.GCMParameterSpec(128, nonceField));
            c.doFinal(list);
            return true;
          } catch (javax.crypto.AEADBadTagException wrongKey) {
            // no
          }
        }
      }
    }
    return false;
  }

  @Test
  void theStateFolderAloneCannotConfirmTheKnownPin() throws Exception {
    flow(KeyAlgorithm.RSA_2048, ScriptedPins.always(PIN)).build().run(USER);
    flow(KeyAlgorithm.RSA_2048, ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER);
    Map<String, byte[]> stolen = snapshot(work.resolve("state"));
    assertThat(stolen).isNotEmpty();
    String text = new String(Files.readAllBytes(historyFile()), StandardCharsets.UTF_8);
    assertThat(text).contains("sealed=", "entries=2").doesNotContain("hashes=", "salt=");
    // the current PIN, the previous one and a wrong one: the files tell none of them apart
    assertThat(confirmsFromTheFilesAlone(stolen, PIN2)).as("the current PIN").isFalse();
    assertThat(confirmsFromTheFilesAlone(stolen, PIN)).as("the previous PIN").isFalse();
    assertThat(confirmsFromTheFilesAlone(stolen, "Wrong-Pin-77")).as("a wrong PIN").isFalse();

    // the same attack on the plain file keytrust wrote before (version 1) confirms the PIN at once
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    byte[] hash = new dev.keytrust.key.Argon2Parameters(64, 1, 1).deriveKey(utf8(PIN2), salt);
    Path legacyDir = work.resolve("legacy-state");
    new dev.keytrust.agent.internal.StateFiles(legacyDir, dev.keytrust.agent.error.AgentErrorCode.PIN_HISTORY_IO,
        "PIN history").write(legacyDir.resolve("pin-history-x"),
        new dev.keytrust.store.TextRecord.Writer("keytrust-pin-history", 1).text("user", USER).text("kdf", "argon2id")
            .text("memory-kib", "64").text("iterations", "1").text("parallelism", "1")
            .text("salt", Base64.getEncoder().encodeToString(salt))
            .text("hashes", Base64.getEncoder().encodeToString(hash)));
    Map<String, byte[]> legacy = snapshot(legacyDir);
    assertThat(confirmsFromTheFilesAlone(legacy, PIN2)).as("the attack works on a plain history").isTrue();
    assertThat(confirmsFromTheFilesAlone(legacy, "Wrong-Pin-77")).isFalse();
  }
}
