package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.Durations;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.internal.Sha256;
import dev.keytrust.store.TextRecord;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The software provider's failed-PIN counter of one user's key, in two files of the user's key
 * store directory. See {@link SoftwareKeyProvider} for what this does and does not detect.
 *
 * <pre>
 *   counter-secret   format=keytrust-attempt-counter-secret, version=1, user, keyId (hex),
 *                    secret (base64, 32 random bytes), sequence; sha256 checksum line
 *   counter          format=keytrust-attempt-counter, version=1, user, keyId (hex), sequence,
 *                    failures, lockedUntil (ISO instant or "none"); hmac-sha256 line under the secret
 * </pre>
 *
 * <p><b>Both files exist as long as the key does.</b> {@link SoftwareKeyProvider#create} makes
 * them (sequence 0, no failures, {@link #initial}) and hands them to the store in the key's
 * {@link SoftwareKeyBlob#initialState()}; {@link KeyContainerStore#save} writes them before it
 * links the key file, and {@link KeyContainerStore#delete} removes them after the key file. The
 * key file records SHA-256 of the secret ({@link SoftwareKeyBlob#counterId()}). So there is no
 * "never used" state, and a PIN check accepts the files only when:
 *
 * <ul>
 *   <li>both exist: one or both missing is tampering, even right after the key was made;
 *   <li>the secret file's checksum, user and key id match, and SHA-256 of its secret is the
 *       stored key file's counterId (files of another user, of an earlier key of this user, or a
 *       new secret made up for this key are refused);
 *   <li>the counter's HMAC under that secret, its user and key id match;
 *   <li>the counter's sequence equals the secret's, or is one more (an update interrupted between
 *       its two writes). Anything else, e.g. an older copy of the counter put back (behind), or of
 *       the secret file (the counter two or more ahead), is tampering.
 * </ul>
 *
 * <p>Every update writes the counter (sequence n+1) first, then the secret (sequence n+1), each
 * atomically, holding the key store lock ({@link KeyContainerStore#locked}), after checking under
 * that lock that the key is still the one stored for its user. When the files are read (under the
 * lock) and the counter is one ahead, left so by an interrupted update, the secret file is first
 * rolled forward to the counter's sequence, and nothing else is written unless that succeeded. So
 * "counter minus secret is 0 or 1" holds after a crash or a failed write at any point, however
 * many updates in a row are interrupted. The same lock serializes saves and deletes, so an update
 * of a deleted key can never overwrite the counter of the user's next key.
 */
final class AttemptCounter {
  static final String COUNTER_FILE = "counter";
  static final String SECRET_FILE = "counter-secret";
  static final String COUNTER_FORMAT = "keytrust-attempt-counter";
  static final String SECRET_FORMAT = "keytrust-attempt-counter-secret";
  static final int VERSION = 1;
  static final int SECRET_LENGTH = 32;

  private static final Set<String> SECRET_FIELDS = Set.of("user", "keyId", "secret", "sequence");
  private static final Set<String> COUNTER_FIELDS =
      Set.of("user", "keyId", "sequence", "failures", "lockedUntil");

  /**
   * The counter state.
   *
   * @param sequence increases by one with every write
   * @param failures wrong PINs in a row
   * @param lockedUntil end of the current lockout, or null
   */
  record State(long sequence, int failures, Instant lockedUntil) {}

  /**
   * The counter of a new key.
   *
   * @param counterId SHA-256 of the secret, for the key file
   * @param files the counter's first files (sequence 0, no failures), for the store to write
   *     before the key file
   */
  record Initial(byte[] counterId, Map<String, byte[]> files) {}

  private record Loaded(byte[] secret, State state) {}

  /**
   * Writes one counter file of a user atomically: {@link KeyContainerStore#writeFileAtomically},
   * or in tests one that fails on purpose, as a crash or a full disk would.
   */
  @FunctionalInterface
  interface FileWriter {
    void write(String user, String name, byte[] content) throws KeytrustException;
  }

  private final KeyContainerStore store;
  private final SoftwareLockoutPolicy policy;
  private final FileWriter writer;

  AttemptCounter(KeyContainerStore store, SoftwareLockoutPolicy policy) {
    this(store, policy, store::writeFileAtomically);
  }

  AttemptCounter(KeyContainerStore store, SoftwareLockoutPolicy policy, FileWriter writer) {
    this.store = store;
    this.policy = policy;
    this.writer = writer;
  }

  /** A fresh counter for a new key of {@code user}: a random secret, sequence 0, no failures. */
  static Initial initial(String user, byte[] keyId, SecureRandom random) {
    byte[] secret = new byte[SECRET_LENGTH];
    random.nextBytes(secret);
    try {
      Map<String, byte[]> files = new LinkedHashMap<>();
      files.put(SECRET_FILE, secretRecord(user, keyId, secret, 0));
      files.put(COUNTER_FILE, counterRecord(user, keyId, secret, new State(0, 0, null)));
      return new Initial(Sha256.of(secret), files);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /**
   * Starts a PIN check: refuses while locked out, otherwise counts the try as failed
   * <em>before</em> the PIN is checked, so that killing the process or running many at once
   * cannot get uncounted guesses. {@link #recordSuccess} undoes it when the PIN was right.
   *
   * @return the failures in a row if this PIN turns out wrong
   * @throws LockedOutException while a lockout lasts
   */
  int beginAttempt(KeyContainer key, Instant now) throws KeytrustException {
    return store.locked(() -> {
      Loaded l = load(key);
      State s = l.state();
      if (s.lockedUntil() != null && now.isBefore(s.lockedUntil())) {
        Duration left = Duration.between(now, s.lockedUntil());
        if (left.compareTo(policy.lockoutDuration()) > 0) {
          // the clock went back: never make anyone wait longer than one lockout from now
          left = policy.lockoutDuration();
          write(key, l.secret(), new State(s.sequence() + 1, s.failures(), now.plus(left)));
        }
        throw lockedOut(key.user(), left);
      }
      int failures = Math.min(s.failures() + 1, policy.maxFailedAttempts());
      Instant lockedUntil = failures >= policy.maxFailedAttempts() ? now.plus(policy.lockoutDuration()) : null;
      write(key, l.secret(), new State(s.sequence() + 1, failures, lockedUntil));
      return failures;
    });
  }

  /** The PIN was right: zero failures, no lockout. */
  void recordSuccess(KeyContainer key) throws KeytrustException {
    store.locked(() -> {
      Loaded l = load(key);
      write(key, l.secret(), new State(l.state().sequence() + 1, 0, null));
      return null;
    });
  }

  /** The current state, for diagnostics and tests. Verifies the files like a PIN check does. */
  State read(KeyContainer key) throws KeytrustException {
    return store.locked(() -> load(key).state());
  }

  /**
   * The key stored for {@code key}'s user, which must be {@code key} itself.
   *
   * @throws KeytrustException KEY_NOT_FOUND when the user has no key, or another one
   */
  KeyContainer requireStored(KeyContainer key) throws KeytrustException {
    Optional<KeyContainer> stored = store.find(key.user());
    if (stored.isEmpty()) {
      throw new KeytrustException(CoreErrorCode.KEY_NOT_FOUND,
          "The key of user '" + key.user() + "' is not in the key store " + store.root() + ": save it before"
              + " signing with it, or open the key store directory that holds it.");
    }
    if (!MessageDigest.isEqual(stored.get().keyId(), key.keyId())
        || !(stored.get().protectedKey() instanceof SoftwareKeyBlob)) {
      throw new KeytrustException(CoreErrorCode.KEY_NOT_FOUND,
          "The key " + key.keyIdHex() + " of user '" + key.user() + "' is no longer in the key store, which now"
              + " holds key " + stored.get().keyIdHex() + " for this user: load the current key and sign again.");
    }
    return stored.get();
  }

  // ---- reading and writing ---------------------------------------------------------------------

  /**
   * Reads and checks both files against the stored key file, and rolls the secret file forward
   * when an interrupted update left the counter one ahead of it. Call with the store lock held.
   */
  private Loaded load(KeyContainer key) throws KeytrustException {
    String user = key.user();
    SoftwareKeyBlob stored = (SoftwareKeyBlob) requireStored(key).protectedKey();
    Optional<byte[]> secretFile = store.readFile(user, SECRET_FILE);
    Optional<byte[]> counterFile = store.readFile(user, COUNTER_FILE);
    if (secretFile.isEmpty()) {
      throw tampered(user, counterFile.isEmpty()
          ? "both of its files were deleted, although the key file says that the key has a counter"
          : "its secret file was deleted");
    }
    byte[] secret;
    long secretSequence;
    try {
      TextRecord r = TextRecord.parse(secretFile.get(), SECRET_FORMAT, VERSION);
      if (!r.sha256Matches()) {
        throw tampered(user, "the secret file's checksum does not match");
      }
      r.requireFields(SECRET_FIELDS);
      checkOwner(r, key, "secret file");
      secret = r.bytes("secret");
      if (secret.length != SECRET_LENGTH) {
        throw tampered(user, "the secret has the wrong length");
      }
      if (!MessageDigest.isEqual(Sha256.of(secret), stored.counterId())) {
        throw tampered(user, "its secret is not the one the key was created with");
      }
      secretSequence = r.number("sequence", 0, Long.MAX_VALUE - 1);
    } catch (TextRecord.FormatException e) {
      throw unreadable(user, SECRET_FILE, e);
    }
    if (counterFile.isEmpty()) {
      throw tampered(user, "the counter file was deleted");
    }
    try {
      TextRecord r = TextRecord.parse(counterFile.get(), COUNTER_FORMAT, VERSION);
      if (!r.hmacMatches(secret)) {
        throw tampered(user, "its MAC does not match its content");
      }
      r.requireFields(COUNTER_FIELDS);
      checkOwner(r, key, "counter file");
      long sequence = r.number("sequence", 0, Long.MAX_VALUE - 1);
      if (sequence < secretSequence) {
        throw tampered(user, "its sequence number " + sequence + " is behind the secret file's " + secretSequence
            + ": an older copy of the counter was put back");
      }
      if (sequence > secretSequence + 1) {
        throw tampered(user, "its sequence number " + sequence + " is more than one ahead of the secret file's "
            + secretSequence + ", which no interrupted update leaves: an older copy of the secret file was put back");
      }
      int failures = (int) r.number("failures", 0, 1000);
      String until = r.text("lockedUntil");
      Instant lockedUntil = until.equals("none") ? null : Instant.parse(until);
      if (sequence == secretSequence + 1) {
        // an update was interrupted between its two writes: finish it before anything else is written,
        // or the next interrupted update would leave the counter two ahead
        writeSecret(key, secret, sequence);
      }
      return new Loaded(secret, new State(sequence, failures, lockedUntil));
    } catch (TextRecord.FormatException e) {
      throw unreadable(user, COUNTER_FILE, e);
    } catch (DateTimeParseException e) {
      throw tampered(user, "lockedUntil is not a time");
    }
  }

  private void checkOwner(TextRecord r, KeyContainer key, String what) throws TextRecord.FormatException,
      KeytrustException {
    if (!r.text("user").equals(key.user())) {
      throw tampered(key.user(), "the " + what + " belongs to another user");
    }
    if (!MessageDigest.isEqual(r.hex("keyId"), key.keyId())) {
      throw tampered(key.user(), "the " + what + " belongs to another key");
    }
  }

  /** One update: the counter first, then the secret file with the same sequence. */
  private void write(KeyContainer key, byte[] secret, State s) throws KeytrustException {
    writer.write(key.user(), COUNTER_FILE, counterRecord(key.user(), key.keyId(), secret, s));
    writeSecret(key, secret, s.sequence());
  }

  private void writeSecret(KeyContainer key, byte[] secret, long sequence) throws KeytrustException {
    byte[] file = secretRecord(key.user(), key.keyId(), secret, sequence);
    try {
      writer.write(key.user(), SECRET_FILE, file);
    } finally {
      Arrays.fill(file, (byte) 0);
    }
  }

  private static byte[] counterRecord(String user, byte[] keyId, byte[] secret, State s) {
    return new TextRecord.Writer(COUNTER_FORMAT, VERSION)
        .text("user", user)
        .hex("keyId", keyId)
        .number("sequence", s.sequence())
        .number("failures", s.failures())
        .text("lockedUntil", s.lockedUntil() == null ? "none" : s.lockedUntil().toString())
        .sealHmac(secret);
  }

  private static byte[] secretRecord(String user, byte[] keyId, byte[] secret, long sequence) {
    return new TextRecord.Writer(SECRET_FORMAT, VERSION)
        .text("user", user)
        .hex("keyId", keyId)
        .bytes("secret", secret)
        .number("sequence", sequence)
        .sealSha256();
  }

  // ---- errors ----------------------------------------------------------------------------------

  private KeytrustException unreadable(String user, String file, TextRecord.FormatException e) {
    if (e.unsupportedVersion() != 0) {
      return new KeytrustException(CoreErrorCode.STORE_VERSION_UNSUPPORTED,
          "The attempt counter file " + file + " of user '" + user + "' has format version "
              + e.unsupportedVersion() + "; this keytrust reads version " + VERSION + ". Use the keytrust version"
              + " that wrote it.", e);
    }
    return tampered(user, file + " does not parse: " + e.getMessage());
  }

  static KeytrustException tampered(String user, String detail) {
    return new KeytrustException(CoreErrorCode.COUNTER_TAMPERED,
        "The attempt counter of the software key of user '" + user + "' was modified (" + detail
            + "), so keytrust will not use this key. Delete it and create a new one.");
  }

  private LockedOutException lockedOut(String user, Duration left) {
    return new LockedOutException(left,
        "The software key of user '" + user + "' is locked after " + policy.maxFailedAttempts()
            + " wrong PINs. Try again in " + Durations.human(left) + ". If the PIN is forgotten, the only way back is to"
            + " delete the key and create a new one.");
  }
}
