package dev.keytrust.key;

import static dev.keytrust.key.SoftwareKeyProviderTest.FAST;
import static dev.keytrust.key.SoftwareKeyProviderTest.MESSAGE;
import static dev.keytrust.key.SoftwareKeyProviderTest.pin;
import static dev.keytrust.key.SoftwareKeyProviderTest.sha256;
import static dev.keytrust.key.SoftwareKeyProviderTest.verifies;
import static dev.keytrust.key.TestKeys.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.error.WrongPinException;
import dev.keytrust.internal.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The software provider's attempt counter: counting, lockout, persistence and tamper detection. */
class SoftwareKeyLockoutTest {
  static final Duration LOCKOUT = SoftwareLockoutPolicy.DEFAULT_LOCKOUT_DURATION;
  static final String RIGHT = "1234";
  static final String WRONG = "9999";

  @TempDir Path tmp;
  private Path root;
  private MutableClock clock;
  private KeyContainerStore store;
  private SoftwareKeyProvider provider;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("keys");
    clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    restart();
  }

  /** New store and provider objects on the same directory, as after a process restart. */
  private void restart() {
    store = new KeyContainerStore(root);
    provider = new SoftwareKeyProvider(store, FAST, clock, SoftwareLockoutPolicy.DEFAULT);
  }

  private KeyContainer newKey(String user) throws KeytrustException {
    KeyContainer key = provider.create(user, KeyAlgorithm.ECC_P256, pin(RIGHT));
    store.save(key);
    return key;
  }

  private byte[] sign(String user, String pin) throws Exception {
    return provider.signDigest(store.load(user), sha256(MESSAGE), pin(pin));
  }

  private int wrong(String user) {
    KeytrustException e = failure(CoreErrorCode.WRONG_PIN, () -> sign(user, WRONG));
    return ((WrongPinException) e).triesLeft().orElseThrow();
  }

  private Duration lockedFor(String user, String pin) {
    KeytrustException e = failure(CoreErrorCode.LOCKED_OUT, () -> sign(user, pin));
    return ((LockedOutException) e).retryAfter();
  }

  private Path file(String user, String name) throws KeytrustException {
    return store.userDirectory(user).resolve(name);
  }

  private KeytrustException tampered(String user, String pin) {
    KeytrustException e = failure(CoreErrorCode.COUNTER_TAMPERED, () -> sign(user, pin));
    assertThat(e.getMessage()).contains("attempt counter").contains("was modified")
        .contains("Delete it and create a new one").doesNotContain("--");
    return e;
  }

  // ---- counting and lockout --------------------------------------------------------------------

  @Test
  void wrongPinsCountDownThenTheKeyLocksForTheLockoutDuration() throws Exception {
    newKey("alice");

    List<Integer> left = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      left.add(wrong("alice"));
    }

    assertThat(left).containsExactly(4, 3, 2, 1, 0);
    assertThat(lockedFor("alice", WRONG)).isEqualTo(LOCKOUT);
    clock.advance(Duration.ofMinutes(10));
    assertThat(lockedFor("alice", RIGHT)).as("even the right PIN waits").isEqualTo(Duration.ofMinutes(5));
    KeytrustException e = failure(CoreErrorCode.LOCKED_OUT, () -> sign("alice", RIGHT));
    assertThat(e.getMessage()).contains("5 min").contains("delete the key and create a new one");
  }

  @Test
  void wrongPinMessagesSayWhatIsLeft() throws Exception {
    newKey("alice");
    for (int i = 0; i < 3; i++) {
      wrong("alice");
    }
    KeytrustException one = failure(CoreErrorCode.WRONG_PIN, () -> sign("alice", WRONG));
    KeytrustException last = failure(CoreErrorCode.WRONG_PIN, () -> sign("alice", WRONG));

    assertThat(one.getMessage()).contains("1 try left").contains("15 min");
    assertThat(last.getMessage()).contains("now locked for 15 min").contains("delete the key and create a new one");
  }

  @Test
  void afterALockoutOneMoreTryIsAllowedPerLockoutPeriodAndTheRightPinResets() throws Exception {
    newKey("alice");
    for (int i = 0; i < 5; i++) {
      wrong("alice");
    }
    clock.advance(LOCKOUT);

    assertThat(wrong("alice")).isZero();
    assertThat(lockedFor("alice", RIGHT)).isEqualTo(LOCKOUT);

    clock.advance(LOCKOUT.plusSeconds(1));
    byte[] signature = sign("alice", RIGHT);

    assertThat(verifies(store.load("alice"), MESSAGE, signature)).isTrue();
    assertThat(wrong("alice")).isEqualTo(4);
  }

  @Test
  void theRightPinResetsTheCount() throws Exception {
    newKey("alice");
    wrong("alice");
    wrong("alice");

    sign("alice", RIGHT);

    assertThat(wrong("alice")).isEqualTo(4);
    assertThat(provider.attemptState(store.load("alice")).failures()).isEqualTo(1);
  }

  @Test
  void theCountSurvivesARestart() throws Exception {
    newKey("alice");
    wrong("alice");
    wrong("alice");

    restart();

    assertThat(wrong("alice")).isEqualTo(2);
    wrong("alice");
    wrong("alice");
    restart();
    assertThat(lockedFor("alice", RIGHT)).isEqualTo(LOCKOUT);
  }

  @Test
  void policyIsConfigurable() throws Exception {
    provider = new SoftwareKeyProvider(store, FAST, clock, new SoftwareLockoutPolicy(2, Duration.ofSeconds(30)));
    newKey("alice");

    assertThat(wrong("alice")).isEqualTo(1);
    assertThat(wrong("alice")).isZero();
    assertThat(lockedFor("alice", RIGHT)).isEqualTo(Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(30));
    sign("alice", RIGHT);
  }

  @Test
  void usersAreCountedSeparately() throws Exception {
    newKey("alice");
    newKey("bob");
    for (int i = 0; i < 5; i++) {
      wrong("alice");
    }

    assertThat(wrong("bob")).isEqualTo(4);
    sign("bob", RIGHT);
    lockedFor("alice", RIGHT);
  }

  @Test
  void concurrentRightPinsNeverAddUpToALockout() throws Exception {
    newKey("alice");
    KeyContainer key = store.load("alice");
    List<TestKeys.Attempt> rightPins = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      rightPins.add(() -> provider.signDigest(key, sha256(MESSAGE), pin(RIGHT)));
    }
    List<ErrorCode> codes = TestKeys.startTogether(rightPins);
    assertThat(codes).as("8 signs with the right PIN at once").containsOnlyNulls().hasSize(8);
    assertThat(provider.attemptState(key).failures()).isZero();
  }

  @Test
  void concurrentWrongPinsAreEachCounted() throws Exception {
    newKey("alice");
    KeyContainer key = store.load("alice");
    List<TestKeys.Attempt> wrongPins = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      wrongPins.add(() -> provider.signDigest(key, sha256(MESSAGE), pin(WRONG)));
    }
    List<ErrorCode> codes = TestKeys.startTogether(wrongPins);
    assertThat(codes).filteredOn(c -> c == CoreErrorCode.WRONG_PIN).hasSize(5);
    assertThat(codes).filteredOn(c -> c == CoreErrorCode.LOCKED_OUT).hasSize(3);
  }

  @Test
  void aClockThatWentBackNeverLocksLongerThanOneLockout() throws Exception {
    newKey("alice");
    for (int i = 0; i < 5; i++) {
      wrong("alice");
    }

    clock.advance(Duration.ofDays(-2));

    assertThat(lockedFor("alice", RIGHT)).isEqualTo(LOCKOUT);
    clock.advance(LOCKOUT);
    sign("alice", RIGHT);
  }

  // ---- counter state files ---------------------------------------------------------------------

  @Test
  void aSavedKeyHasItsCounterAtZeroAndItsFilesAreOwnerOnly() throws Exception {
    KeyContainer key = newKey("alice");

    for (String name : List.of(AttemptCounter.COUNTER_FILE, AttemptCounter.SECRET_FILE)) {
      assertThat(file("alice", name)).as("written by save, before any use").exists();
    }
    assertThat(provider.attemptState(key)).isEqualTo(new AttemptCounter.State(0, 0, null));
    sign("alice", RIGHT);

    for (String name : List.of(AttemptCounter.COUNTER_FILE, AttemptCounter.SECRET_FILE)) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(file("alice", name)))).isEqualTo("rw-------");
    }
    String counter = Files.readString(file("alice", AttemptCounter.COUNTER_FILE));
    assertThat(counter).startsWith("format=keytrust-attempt-counter\nversion=1\n").contains("failures=0\n")
        .containsPattern("\nhmac-sha256=[0-9a-f]{64}\n$");
    assertThat(Files.readString(file("alice", AttemptCounter.SECRET_FILE)))
        .startsWith("format=keytrust-attempt-counter-secret\nversion=1\n");
  }

  @Test
  void theKeyFileNamesItsCounterBySha256OfTheSecret() throws Exception {
    KeyContainer key = newKey("alice");
    byte[] counterId = ((SoftwareKeyBlob) store.load("alice").protectedKey()).counterId();

    String secretFile = Files.readString(file("alice", AttemptCounter.SECRET_FILE));
    String secret = secretFile.lines().filter(l -> l.startsWith("secret=")).findFirst().orElseThrow().substring(7);

    assertThat(counterId).isEqualTo(Sha256.of(java.util.Base64.getDecoder().decode(secret)))
        .isEqualTo(((SoftwareKeyBlob) key.protectedKey()).counterId());
    assertThat(Files.readString(file("alice", KeyContainerStore.KEY_FILE)))
        .contains("counterId=" + java.util.HexFormat.of().formatHex(counterId) + "\n");
  }

  @Test
  void anUpdateInterruptedBetweenItsTwoWritesIsAccepted() throws Exception {
    newKey("alice");
    wrong("alice");
    Path secret = file("alice", AttemptCounter.SECRET_FILE);
    byte[] before = Files.readAllBytes(secret);
    wrong("alice");
    Files.write(secret, before);

    assertThat(wrong("alice")).isEqualTo(2);
    assertThat(wrong("alice")).isEqualTo(1);
  }

  /**
   * Writes through the store, but fails some writes of the secret file with STORE_IO, as a crash
   * or a full disk would: with {@code everySecretWrite} all of them, else only the one right after
   * a counter write (an update interrupted between its two writes).
   */
  private static final class FailingSecretWrites implements AttemptCounter.FileWriter {
    private final KeyContainerStore store;
    private final boolean everySecretWrite;
    private boolean afterCounter;
    int failed;

    FailingSecretWrites(KeyContainerStore store, boolean everySecretWrite) {
      this.store = store;
      this.everySecretWrite = everySecretWrite;
    }

    @Override
    public void write(String user, String name, byte[] content) throws KeytrustException {
      boolean fail = name.equals(AttemptCounter.SECRET_FILE) && (everySecretWrite || afterCounter);
      afterCounter = name.equals(AttemptCounter.COUNTER_FILE);
      if (fail) {
        failed++;
        throw new KeytrustException(CoreErrorCode.STORE_IO, "injected failure writing " + name);
      }
      store.writeFileAtomically(user, name, content);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void updatesInterruptedSeveralTimesInARowLeaveAUsableCounter(boolean everySecretWrite) throws Exception {
    KeyContainer key = newKey("alice");
    FailingSecretWrites writes = new FailingSecretWrites(store, everySecretWrite);
    AttemptCounter interrupted = new AttemptCounter(store, SoftwareLockoutPolicy.DEFAULT, writes);

    for (int i = 0; i < 3; i++) {
      failure(CoreErrorCode.STORE_IO, () -> interrupted.beginAttempt(key, clock.instant()));
    }

    assertThat(writes.failed).isEqualTo(3);
    restart();
    assertThat(provider.attemptState(key).failures()).as("each try whose counter write went through, once")
        .isEqualTo(everySecretWrite ? 1 : 3);
    assertThat(wrong("alice")).isEqualTo(everySecretWrite ? 3 : 1);
    assertThat(verifies(key, MESSAGE, sign("alice", RIGHT))).as("the right PIN still works").isTrue();
    assertThat(wrong("alice")).isEqualTo(4);
    failure(CoreErrorCode.STORE_IO, () -> interrupted.recordSuccess(key));
    failure(CoreErrorCode.STORE_IO, () -> interrupted.recordSuccess(key));
    AttemptCounter.State s = provider.attemptState(key);
    assertThat(s.failures()).as("the first reset's counter write went through").isZero();
    assertThat(Files.readString(file("alice", AttemptCounter.SECRET_FILE)))
        .as("reading finished the interrupted update").contains("\nsequence=" + s.sequence() + "\n");
    assertThat(wrong("alice")).isEqualTo(4);
  }

  @Test
  void aCounterTwoAheadOfItsSecretIsTamperingAndIsNotRolledForward() throws Exception {
    newKey("alice");
    Path secret = file("alice", AttemptCounter.SECRET_FILE);
    byte[] atZero = Files.readAllBytes(secret);
    wrong("alice");
    wrong("alice");

    Files.write(secret, atZero); // no crash leaves this: only putting back an older secret file does

    KeytrustException e = tampered("alice", RIGHT);
    assertThat(e.getMessage()).contains("more than one ahead").contains("older copy of the secret file");
    tampered("alice", WRONG);
    assertThat(Files.readAllBytes(secret)).as("left as it was").isEqualTo(atZero);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void aSaveKilledBeforeTheKeyFileWasLinkedLeavesNoKeyAndTheNextCreateWorks(int stateFilesWritten)
      throws Exception {
    KeyContainer interrupted = provider.create("alice", KeyAlgorithm.ECC_P256, pin(RIGHT));
    TestKeys.saveInterruptedBeforeTheKeyFileWasLinked(store, interrupted, stateFilesWritten);
    restart();
    assertThat(store.find("alice")).as("no key file, no key").isEmpty();
    assertThat(store.users()).isEmpty();

    KeyContainer key = newKey("alice");

    assertThat(store.load("alice").keyId()).isEqualTo(key.keyId());
    assertThat(verifies(key, MESSAGE, sign("alice", RIGHT))).isTrue();
    assertThat(wrong("alice")).isEqualTo(4);
    assertThat(failure(CoreErrorCode.KEY_NOT_FOUND,
        () -> provider.signDigest(interrupted, sha256(MESSAGE), pin(RIGHT))).getMessage()).contains("no longer");
  }

  @Test
  void theSameCrashThroughHelloKeysLeavesNoKeyAndTheNextCreateWorks() throws Exception {
    KeyContainer interrupted = provider.create("alice", KeyAlgorithm.ECC_P256, pin(RIGHT));
    TestKeys.saveInterruptedBeforeTheKeyFileWasLinked(store, interrupted, 2);
    restart();

    try (HelloKeys keys = HelloKeys.of(store, provider, "software")) {
      KeyContainer key = keys.create("alice", KeyAlgorithm.ECC_P256, pin(RIGHT));
      assertThat(verifies(key, MESSAGE, keys.sign("alice", MESSAGE, pin(RIGHT)))).isTrue();
      failure(CoreErrorCode.WRONG_PIN, () -> keys.sign("alice", MESSAGE, pin(WRONG)));
    }
    assertThat(provider.attemptState(store.load("alice")).failures()).isEqualTo(1);
  }

  @Test
  void deleteRemovesTheCounterAndTheNextKeyStartsAfresh() throws Exception {
    newKey("alice");
    for (int i = 0; i < 5; i++) {
      wrong("alice");
    }

    try (HelloKeys keys = HelloKeys.of(store, provider, "software")) {
      keys.delete("alice");
    }

    assertThat(store.userDirectory("alice")).doesNotExist();
    newKey("alice");
    assertThat(wrong("alice")).isEqualTo(4);
  }

  @Test
  void aCounterLeftByAnInterruptedDeleteIsRemovedAndNeverCountsForTheNextKey() throws Exception {
    newKey("alice");
    for (int i = 0; i < 5; i++) {
      wrong("alice");
    }
    byte[] oldCounter = Files.readAllBytes(file("alice", AttemptCounter.COUNTER_FILE));
    byte[] oldSecret = Files.readAllBytes(file("alice", AttemptCounter.SECRET_FILE));
    Files.delete(file("alice", KeyContainerStore.KEY_FILE)); // delete killed right after the key file went

    newKey("alice");

    assertThat(Files.readAllBytes(file("alice", AttemptCounter.COUNTER_FILE))).isNotEqualTo(oldCounter);
    assertThat(Files.readAllBytes(file("alice", AttemptCounter.SECRET_FILE))).isNotEqualTo(oldSecret);
    assertThat(wrong("alice")).as("the old key's lockout is not inherited").isEqualTo(4);
    sign("alice", RIGHT);
  }

  @Test
  void aRefusedSecondSaveForTheUserLeavesTheFirstKeysCounterAlone() throws Exception {
    newKey("alice");
    wrong("alice");
    wrong("alice");
    byte[] counter = Files.readAllBytes(file("alice", AttemptCounter.COUNTER_FILE));
    byte[] secret = Files.readAllBytes(file("alice", AttemptCounter.SECRET_FILE));

    failure(CoreErrorCode.KEY_EXISTS, () -> newKey("alice"));

    assertThat(Files.readAllBytes(file("alice", AttemptCounter.COUNTER_FILE))).isEqualTo(counter);
    assertThat(Files.readAllBytes(file("alice", AttemptCounter.SECRET_FILE))).isEqualTo(secret);
    assertThat(wrong("alice")).isEqualTo(2);
  }

  @Test
  void aSignWithADeletedKeyNeverTouchesTheCounterOfTheUsersNextKey() throws Exception {
    KeyContainer old = newKey("alice");
    store.delete("alice");
    newKey("alice");
    wrong("alice");
    byte[] counter = Files.readAllBytes(file("alice", AttemptCounter.COUNTER_FILE));

    failure(CoreErrorCode.KEY_NOT_FOUND, () -> provider.signDigest(old, sha256(MESSAGE), pin(WRONG)));

    assertThat(Files.readAllBytes(file("alice", AttemptCounter.COUNTER_FILE))).isEqualTo(counter);
    assertThat(wrong("alice")).isEqualTo(3);
  }

  // ---- tampering -------------------------------------------------------------------------------

  @Test
  void editingTheFailuresIsDetected() throws Exception {
    newKey("alice");
    wrong("alice");
    wrong("alice");
    wrong("alice");
    Path counter = file("alice", AttemptCounter.COUNTER_FILE);
    Files.writeString(counter, Files.readString(counter).replace("failures=3\n", "failures=0\n"));

    tampered("alice", WRONG);
    KeytrustException e = tampered("alice", RIGHT);
    assertThat(e.getMessage()).contains("MAC");
  }

  @Test
  void deletingTheCounterAfterUseIsDetected() throws Exception {
    newKey("alice");
    sign("alice", RIGHT);

    Files.delete(file("alice", AttemptCounter.COUNTER_FILE));

    KeytrustException e = tampered("alice", RIGHT);
    assertThat(e.getMessage()).contains("deleted");
  }

  @Test
  void deletingBothCounterFilesAfterUseIsDetected() throws Exception {
    newKey("alice");
    for (int i = 0; i < 4; i++) {
      wrong("alice");
    }

    Files.delete(file("alice", AttemptCounter.COUNTER_FILE));
    Files.delete(file("alice", AttemptCounter.SECRET_FILE));

    KeytrustException e = tampered("alice", RIGHT);
    assertThat(e.getMessage()).contains("deleted");
    restart();
    tampered("alice", RIGHT);
    tampered("alice", WRONG);
    assertThat(file("alice", AttemptCounter.COUNTER_FILE)).as("nothing recreated").doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {AttemptCounter.COUNTER_FILE, AttemptCounter.SECRET_FILE, "both"})
  void deletingCounterFilesBeforeAnyUseIsDetected(String deleted) throws Exception {
    newKey("alice");

    for (String name : List.of(AttemptCounter.COUNTER_FILE, AttemptCounter.SECRET_FILE)) {
      if (deleted.equals(name) || deleted.equals("both")) {
        Files.delete(file("alice", name));
      }
    }

    KeytrustException e = tampered("alice", RIGHT);
    assertThat(e.getMessage()).contains("deleted");
    assertThatThrownBy(() -> provider.attemptState(store.load("alice"))).isInstanceOfSatisfying(
        KeytrustException.class, x -> assertThat(x.code()).isEqualTo(CoreErrorCode.COUNTER_TAMPERED));
  }

  @Test
  void aCounterOfAnEarlierKeyOfTheUserIsNeverAccepted() throws Exception {
    newKey("alice");
    byte[] oldCounter = Files.readAllBytes(file("alice", AttemptCounter.COUNTER_FILE));
    byte[] oldSecret = Files.readAllBytes(file("alice", AttemptCounter.SECRET_FILE));
    store.delete("alice");
    newKey("alice");
    for (int i = 0; i < 4; i++) {
      wrong("alice");
    }

    Files.write(file("alice", AttemptCounter.COUNTER_FILE), oldCounter);
    Files.write(file("alice", AttemptCounter.SECRET_FILE), oldSecret);

    KeytrustException e = tampered("alice", RIGHT);
    assertThat(e.getMessage()).contains("another key");
  }

  @Test
  void aFreshCounterMadeUpForTheKeyIsDetected() throws Exception {
    KeyContainer key = newKey("alice");
    for (int i = 0; i < 4; i++) {
      wrong("alice");
    }

    AttemptCounter.Initial forged = AttemptCounter.initial("alice", key.keyId(), new java.security.SecureRandom());
    for (var f : forged.files().entrySet()) {
      Files.write(file("alice", f.getKey()), f.getValue());
    }

    KeytrustException e = tampered("alice", RIGHT);
    assertThat(e.getMessage()).contains("not the one the key was created with");
  }

  @Test
  void deletingTheSecretIsDetected() throws Exception {
    newKey("alice");
    wrong("alice");

    Files.delete(file("alice", AttemptCounter.SECRET_FILE));

    tampered("alice", RIGHT);
  }

  @Test
  void aCounterCopiedFromAnotherUserIsDetected() throws Exception {
    newKey("alice");
    newKey("bob");
    sign("alice", RIGHT);
    for (int i = 0; i < 4; i++) {
      wrong("bob");
    }

    Files.copy(file("alice", AttemptCounter.COUNTER_FILE), file("bob", AttemptCounter.COUNTER_FILE),
        StandardCopyOption.REPLACE_EXISTING);

    tampered("bob", RIGHT);
    assertThat(verifies(store.load("alice"), MESSAGE, sign("alice", RIGHT))).isTrue();
  }

  @Test
  void bothCounterFilesCopiedFromAnotherUserAreDetected() throws Exception {
    newKey("alice");
    newKey("bob");
    sign("alice", RIGHT);
    wrong("bob");

    for (String name : List.of(AttemptCounter.COUNTER_FILE, AttemptCounter.SECRET_FILE)) {
      Files.copy(file("alice", name), file("bob", name), StandardCopyOption.REPLACE_EXISTING);
    }

    KeytrustException e = tampered("bob", RIGHT);
    assertThat(e.getMessage()).contains("another user");
  }

  @Test
  void puttingBackAnOlderCopyOfTheCounterIsDetected() throws Exception {
    newKey("alice");
    sign("alice", RIGHT);
    Path counter = file("alice", AttemptCounter.COUNTER_FILE);
    byte[] zeroFailures = Files.readAllBytes(counter);
    wrong("alice");
    wrong("alice");

    Files.write(counter, zeroFailures);

    KeytrustException e = tampered("alice", WRONG);
    assertThat(e.getMessage()).contains("older copy");
  }

  @Test
  void garbageInTheCounterIsDetected() throws Exception {
    newKey("alice");
    wrong("alice");

    Files.writeString(file("alice", AttemptCounter.COUNTER_FILE), "failures=0\n");

    tampered("alice", RIGHT);
  }

  @Test
  void aCounterFromANewerVersionIsVersionUnsupported() throws Exception {
    newKey("alice");
    wrong("alice");
    Path counter = file("alice", AttemptCounter.COUNTER_FILE);

    Files.writeString(counter, Files.readString(counter).replace("version=1\n", "version=7\n"));

    assertThatThrownBy(() -> sign("alice", RIGHT)).isInstanceOfSatisfying(KeytrustException.class,
        e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_VERSION_UNSUPPORTED));
  }
}
