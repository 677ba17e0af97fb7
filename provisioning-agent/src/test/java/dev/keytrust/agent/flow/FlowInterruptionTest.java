package dev.keytrust.agent.flow;

import static dev.keytrust.agent.flow.FlowTestKit.PIN;
import static dev.keytrust.agent.flow.FlowTestKit.PIN2;
import static dev.keytrust.agent.flow.FlowTestKit.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.flow.FlowTestKit.ScriptedPins;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.KeyProvider;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.key.SoftwareKeyProvider;
import dev.keytrust.key.SoftwareLockoutPolicy;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every journal transition, reached the way a crash reaches it: the run stops dead at one event
 * (an {@link Error} thrown from the listener escapes the flow like a kill: nothing after that point
 * runs), or inside key creation; then a rerun must end with exactly one key and one registered
 * value, the one of that key. The same with real processes and SIGKILL against swtpm is in
 * simulator-tests (FlowKillTest).
 */
class FlowInterruptionTest {
  /** Stands for a kill: not an Exception, so nothing on the way out handles it. */
  static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash() {
      super("simulated kill", null, false, false);
    }
  }

  @TempDir Path tmp;
  Path root;
  KeyContainerStore store;
  RecordingEndpoint endpoint;
  AtomicInteger mfa = new AtomicInteger();

  @BeforeEach
  void setUp() {
    root = tmp.resolve("keys");
    store = new KeyContainerStore(root);
    endpoint = new RecordingEndpoint(tmp.resolve("endpoint"));
  }

  ProvisioningFlow.Builder flow(ScriptedPins pins) throws Exception {
    return FlowTestKit.flow(root, tmp, TpmUri.parse("software"), pins, endpoint, mfa);
  }

  static FlowListener crashAt(int index) {
    AtomicInteger seen = new AtomicInteger();
    return e -> {
      if (seen.getAndIncrement() == index) {
        throw new Crash();
      }
    };
  }

  static Stream<Integer> provisionEvents() {
    return IntStream.range(0, 16).boxed(); // 8 steps, STARTED and SUCCEEDED each
  }

  static Stream<Integer> pinChangeEvents() {
    return IntStream.range(0, 18).boxed(); // 9 steps
  }

  static Stream<Integer> resetEvents() {
    return IntStream.range(0, 6).boxed(); // 3 steps
  }

  /** Exactly one key, registered once (and nothing else registered), journal DONE, receipt of that key. */
  void assertOneKeyRegisteredOnce(ProvisioningResult r) throws KeytrustException {
    KeyContainer key = store.load(USER);
    assertThat(store.users()).containsExactly(USER);
    assertThat(r.keyIdHex()).isEqualTo(key.keyIdHex());
    assertThat(endpoint.registered()).singleElement()
        .satisfies(v -> assertThat(v.keyIdHex()).isEqualTo(key.keyIdHex()));
    FlowRecords records = new FlowRecords(store);
    assertThat(records.journal(USER).orElseThrow().state()).isEqualTo(JournalState.DONE);
    assertThat(records.receipt(USER).orElseThrow().keyIdHex()).isEqualTo(key.keyIdHex());
  }

  @ParameterizedTest(name = "provisioning killed at event {0}")
  @MethodSource("provisionEvents")
  void provisioningKilledAtAnyEventIsFinishedByTheNextRun(int index) throws Exception {
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).listener(crashAt(index)).build().run(USER))
        .isInstanceOf(Crash.class);
    ProvisioningResult r = flow(ScriptedPins.always(PIN)).build().run(USER);
    assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
    assertOneKeyRegisteredOnce(r);
    // the key works with the PIN of the run that finished
    try (HelloKeys keys = FlowTestKit.keys(root).open(TpmUri.parse("software"))) {
      keys.sign(USER, new byte[] {7}, TestPins.pin(PIN));
    }
  }

  /** Where {@link #keysThatDieIn} kills the run. */
  enum DeathPoint {
    /** In key creation: the key is made, never saved. */
    CREATE,
    /** In sealing a secret with the PIN: the PIN history's record. */
    SEAL
  }

  /** Software keys whose provider stops dead at {@code point}. */
  HelloKeysFactory keysThatDieIn(DeathPoint point) {
    return tpm -> {
      KeyContainerStore s = new KeyContainerStore(root);
      SoftwareKeyProvider real = new SoftwareKeyProvider(s, FlowTestKit.CHEAP, Clock.systemUTC(),
          SoftwareLockoutPolicy.DEFAULT);
      return HelloKeys.of(s, new KeyProvider() {
        @Override
        public ProviderKind kind() {
          return real.kind();
        }

        @Override
        public KeyContainer create(String user, KeyAlgorithm algorithm, Pin pin) throws KeytrustException {
          if (point == DeathPoint.CREATE) {
            real.create(user, algorithm, pin); // made, never saved
            throw new Crash();
          }
          return real.create(user, algorithm, pin);
        }

        @Override
        public byte[] signDigest(KeyContainer key, byte[] sha256, Pin pin) throws KeytrustException {
          return real.signDigest(key, sha256, pin);
        }

        @Override
        public dev.keytrust.key.SealedSecret seal(KeyContainer key, dev.keytrust.secret.SecretBuffer secret, Pin pin)
            throws KeytrustException {
          if (point == DeathPoint.SEAL) {
            throw new Crash();
          }
          return real.seal(key, secret, pin);
        }

        @Override
        public dev.keytrust.secret.SecretBuffer unseal(KeyContainer key, dev.keytrust.key.SealedSecret sealed, Pin pin)
            throws KeytrustException {
          return real.unseal(key, sealed, pin);
        }

        @Override
        public void close() {
          real.close();
        }
      }, "software");
    };
  }

  @Test
  void provisioningKilledWhileTheKeyIsMadeLeavesNoKeyAndTheRerunMakesOne() throws Exception {
    HelloKeysFactory dying = keysThatDieIn(DeathPoint.CREATE);
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).keys(dying).build().run(USER)).isInstanceOf(Crash.class);
    assertThat(new FlowRecords(store).journal(USER).orElseThrow().state()).isEqualTo(JournalState.KEY_PENDING);
    assertThat(store.find(USER)).isEmpty();
    assertOneKeyRegisteredOnce(flow(ScriptedPins.always(PIN)).build().run(USER));
  }

  @Test
  void provisioningKilledBeforeThePinIsInTheHistoryIsRedoneSoTheHistoryKnowsThePin() throws Exception {
    FlowTestKit.policy(tmp.resolve("policy"), "PINComplexity/History = 5");
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).keys(keysThatDieIn(DeathPoint.SEAL)).build().run(USER))
        .isInstanceOf(Crash.class);
    // the key exists, but its PIN is not in the history: the journal must not call the key made
    assertThat(new FlowRecords(store).journal(USER).orElseThrow().state()).isEqualTo(JournalState.KEY_PENDING);

    ProvisioningResult r = flow(ScriptedPins.always(PIN)).build().run(USER);
    assertOneKeyRegisteredOnce(r);
    // a normally provisioned user cannot "change" the PIN to the current one: neither can this one
    assertThatThrownBy(() -> flow(ScriptedPins.byQuestion(PIN, PIN)).build().changePin(USER))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(dev.keytrust.agent.error.AgentErrorCode.PIN_RULES_UNMET));
    assertThat(store.load(USER).keyIdHex()).isEqualTo(r.keyIdHex());
  }

  @Test
  void aKeyLeftInKeyPendingIsDeletedAndReplaced() throws Exception {
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).listener(crashAt(9)).build().run(USER))
        .isInstanceOf(Crash.class); // KEY SUCCEEDED: saved, journal still KEY_PENDING
    String leftOver = store.load(USER).keyIdHex();
    ProvisioningResult r = flow(ScriptedPins.always(PIN)).build().run(USER);
    assertThat(r.events().get(0)).satisfies(e -> assertThat(e.step()).isEqualTo(StepId.CLEANUP));
    assertThat(r.events().get(1).detail()).contains(leftOver);
    assertThat(r.keyIdHex()).isNotEqualTo(leftOver);
    assertOneKeyRegisteredOnce(r);
  }

  @Test
  void aRegistrationSentBeforeTheKillIsSentAgainIdenticallyAndCountsOnce() throws Exception {
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).listener(crashAt(13)).build().run(USER))
        .isInstanceOf(Crash.class); // REGISTER SUCCEEDED: at the endpoint, journal still CREDENTIAL_BUILT
    assertThat(endpoint.registered()).hasSize(1);
    ProvisioningResult r = flow(new ScriptedPins(true)).build().run(USER);
    assertThat(r.registration().receipt().alreadyPresent()).isTrue();
    assertOneKeyRegisteredOnce(r);
  }

  @Test
  void aLostKeyAfterItsCredentialWasBuiltIsUnregisteredAndReplaced() throws Exception {
    assertThatThrownBy(() -> flow(ScriptedPins.always(PIN)).listener(crashAt(14)).build().run(USER))
        .isInstanceOf(Crash.class); // RECEIPT STARTED: journal REGISTERED
    String lost = store.load(USER).keyIdHex();
    store.delete(USER);
    ProvisioningResult r = flow(ScriptedPins.always(PIN)).build().run(USER);
    assertThat(r.keyIdHex()).isNotEqualTo(lost);
    assertThat(endpoint.log()).contains("unregister " + lost);
    assertOneKeyRegisteredOnce(r);
  }

  @ParameterizedTest(name = "PIN change killed at event {0}")
  @MethodSource("pinChangeEvents")
  void pinChangeKilledAtAnyEventIsFinishedByTheNextRun(int index) throws Exception {
    ProvisioningResult first = flow(ScriptedPins.always(PIN)).build().run(USER);
    assertThatThrownBy(() -> flow(ScriptedPins.byQuestion(PIN, PIN2)).listener(crashAt(index)).build()
        .changePin(USER)).isInstanceOf(Crash.class);
    ProvisioningResult r = flow(ScriptedPins.byQuestion(PIN, PIN2)).build().changePin(USER);
    assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.PIN_CHANGED);
    assertThat(r.keyIdHex()).isNotEqualTo(first.keyIdHex());
    assertOneKeyRegisteredOnce(r);
    assertThat(new FlowRecords(store).journal(USER).orElseThrow().old()).isNull();
    try (HelloKeys keys = FlowTestKit.keys(root).open(TpmUri.parse("software"))) {
      keys.sign(USER, new byte[] {7}, TestPins.pin(PIN2));
    }
  }

  @ParameterizedTest(name = "reset killed at event {0}")
  @MethodSource("resetEvents")
  void resetKilledAtAnyEventIsFinishedByTheNextRun(int index) throws Exception {
    flow(ScriptedPins.always(PIN)).build().run(USER);
    assertThatThrownBy(() -> flow(new ScriptedPins(true)).listener(crashAt(index)).build().reset(USER))
        .isInstanceOf(Crash.class);
    ProvisioningResult r = flow(new ScriptedPins(true)).build().reset(USER);
    assertThat(r.outcome()).isIn(ProvisioningResult.Outcome.RESET, ProvisioningResult.Outcome.NOTHING_TO_RESET);
    assertThat(store.find(USER)).isEmpty();
    assertThat(endpoint.registered()).isEmpty();
    assertThat(new FlowRecords(store).journal(USER)).isEmpty();
    assertThat(new FlowRecords(store).receipt(USER)).isEmpty();
  }
}
