package dev.keytrust.key;

import dev.keytrust.error.Durations;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.LockedOutException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The software provider's failed-PIN counter of one user's key, in two files of the user's
 * key store directory. See {@link SoftwareKeyProvider} for what this does and does not detect.
 *
 * <pre>
 *   counter-secret   format=keytrust-attempt-counter-secret, version=1, user, keyId (hex),
 *                    secret (base64, 32 random bytes), sequence; sha256 checksum line
 *   counter          format=keytrust-attempt-counter, version=1, user, keyId (hex), sequence,
 *                    failures, lockedUntil (ISO instant or "none"); hmac-sha256 line under the secret
 *   counter-lock     empty; an exclusive FileLock on it serializes updates between processes
 * </pre>
 *
 * <p>States, and how they are read:
 *
 * <ul>
 *   <li>neither file: the key was never tried. The first try writes the secret with sequence 0.
 *   <li>secret with sequence 0, no counter: initialized, never counted (or the first write was
 *       interrupted): zero failures.
 *   <li>secret with sequence n &gt; 0, no counter: the counter was deleted after use: tampered.
 *   <li>counter without secret: tampered.
 *   <li>both: the counter's HMAC, user and key id must match, and its sequence must equal the
 *       secret's (or be one more: an update interrupted between the two writes). Anything else,
 *       e.g. an older copy of the counter put back, is tampered.
 * </ul>
 *
 * <p>Every update writes the counter (sequence n+1) first, then the secret (sequence n+1), each
 * atomically, so a crash at any point leaves a readable state.
 */
final class AttemptCounter {
  private static final Logger LOG = LoggerFactory.getLogger(AttemptCounter.class);

  static final String COUNTER_FILE = "counter";
  static final String SECRET_FILE = "counter-secret";
  static final String LOCK_FILE = "counter-lock";
  static final String COUNTER_FORMAT = "keytrust-attempt-counter";
  static final String SECRET_FORMAT = "keytrust-attempt-counter-secret";
  static final int VERSION = 1;
  static final int SECRET_LENGTH = 32;

  private static final Set<String> SECRET_FIELDS = Set.of("user", "keyId", "secret", "sequence");
  private static final Set<String> COUNTER_FIELDS =
      Set.of("user", "keyId", "sequence", "failures", "lockedUntil");
  /** Serializes counter updates inside this JVM; FileLock only works between processes. */
  private static final Object JVM_LOCK = new Object();

  /**
   * The counter state.
   *
   * @param sequence increases by one with every write
   * @param failures wrong PINs in a row
   * @param lockedUntil end of the current lockout, or null
   */
  record State(long sequence, int failures, Instant lockedUntil) {}

  private record Loaded(byte[] secret, State state) {}

  private final KeyContainerStore store;
  private final SoftwareLockoutPolicy policy;
  private final SecureRandom random;

  AttemptCounter(KeyContainerStore store, SoftwareLockoutPolicy policy, SecureRandom random) {
    this.store = store;
    this.policy = policy;
    this.random = random;
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
    return locked(key.user(), () -> {
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
    locked(key.user(), () -> {
      Loaded l = load(key);
      write(key, l.secret(), new State(l.state().sequence() + 1, 0, null));
      return null;
    });
  }

  /** The current state, for diagnostics and tests. Verifies the files like a PIN check does. */
  State read(KeyContainer key) throws KeytrustException {
    return locked(key.user(), () -> load(key).state());
  }

  /** Removes the counter files of this key; files of another key of the same user are left alone. */
  void forget(KeyContainer key) throws KeytrustException {
    if (!Files.isDirectory(store.userDirectory(key.user()))) {
      return;
    }
    locked(key.user(), () -> {
      Optional<byte[]> secret = store.readFile(key.user(), SECRET_FILE);
      if (secret.isPresent()) {
        try {
          TextRecord r = TextRecord.parse(secret.get(), SECRET_FORMAT, VERSION);
          if (!MessageDigest.isEqual(r.hex("keyId"), key.keyId())) {
            LOG.info("Not removing the attempt counter of user '{}': it belongs to another key", key.user());
            return null;
          }
        } catch (TextRecord.FormatException e) {
          LOG.debug("The attempt counter secret of user '{}' does not parse ({}); removing it", key.user(),
              e.getMessage());
        }
      }
      store.deleteFile(key.user(), COUNTER_FILE);
      store.deleteFile(key.user(), SECRET_FILE);
      return null;
    });
  }

  // ---- reading and writing ---------------------------------------------------------------------

  private Loaded load(KeyContainer key) throws KeytrustException {
    String user = key.user();
    Optional<byte[]> secretFile = store.readFile(user, SECRET_FILE);
    Optional<byte[]> counterFile = store.readFile(user, COUNTER_FILE);
    if (secretFile.isEmpty()) {
      if (counterFile.isPresent()) {
        throw tampered(user, "its secret file is missing");
      }
      byte[] secret = new byte[SECRET_LENGTH];
      random.nextBytes(secret);
      writeSecret(key, secret, 0);
      return new Loaded(secret, new State(0, 0, null));
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
      secretSequence = r.number("sequence", 0, Long.MAX_VALUE - 1);
    } catch (TextRecord.FormatException e) {
      throw unreadable(user, SECRET_FILE, e);
    }
    if (counterFile.isEmpty()) {
      if (secretSequence != 0) {
        throw tampered(user, "the counter file was deleted after the key was used");
      }
      return new Loaded(secret, new State(0, 0, null));
    }
    try {
      TextRecord r = TextRecord.parse(counterFile.get(), COUNTER_FORMAT, VERSION);
      if (!r.hmacMatches(secret)) {
        throw tampered(user, "its MAC does not match its content");
      }
      r.requireFields(COUNTER_FIELDS);
      checkOwner(r, key, "counter file");
      long sequence = r.number("sequence", 0, Long.MAX_VALUE - 1);
      if (sequence != secretSequence && sequence != secretSequence + 1) {
        throw tampered(user, "its sequence number " + sequence + " does not follow " + secretSequence
            + ": an older copy was put back");
      }
      int failures = (int) r.number("failures", 0, 1000);
      String until = r.text("lockedUntil");
      Instant lockedUntil = until.equals("none") ? null : Instant.parse(until);
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

  private void write(KeyContainer key, byte[] secret, State s) throws KeytrustException {
    byte[] counter = new TextRecord.Writer(COUNTER_FORMAT, VERSION)
        .text("user", key.user())
        .hex("keyId", key.keyId())
        .number("sequence", s.sequence())
        .number("failures", s.failures())
        .text("lockedUntil", s.lockedUntil() == null ? "none" : s.lockedUntil().toString())
        .sealHmac(secret);
    store.writeFileAtomically(key.user(), COUNTER_FILE, counter);
    writeSecret(key, secret, s.sequence());
  }

  private void writeSecret(KeyContainer key, byte[] secret, long sequence) throws KeytrustException {
    byte[] file = new TextRecord.Writer(SECRET_FORMAT, VERSION)
        .text("user", key.user())
        .hex("keyId", key.keyId())
        .bytes("secret", secret)
        .number("sequence", sequence)
        .sealSha256();
    try {
      store.writeFileAtomically(key.user(), SECRET_FILE, file);
    } finally {
      Arrays.fill(file, (byte) 0);
    }
  }

  // ---- locking ---------------------------------------------------------------------------------

  private interface Body<T> {
    T run() throws KeytrustException;
  }

  private <T> T locked(String user, Body<T> body) throws KeytrustException {
    synchronized (JVM_LOCK) {
      try (FileChannel ch = store.openLockFile(user, LOCK_FILE)) {
        FileLock lock = ch.lock();
        try {
          return body.run();
        } finally {
          lock.release();
        }
      } catch (IOException e) {
        throw new KeytrustException(ErrorCode.STORE_IO,
            "Cannot lock the attempt counter of user '" + user + "' in " + store.root() + ": " + e.getMessage()
                + ". Check that the key store directory is on a local disk that belongs to this account.", e);
      }
    }
  }

  // ---- errors ----------------------------------------------------------------------------------

  private KeytrustException unreadable(String user, String file, TextRecord.FormatException e) {
    if (e.unsupportedVersion() != 0) {
      return new KeytrustException(ErrorCode.STORE_VERSION_UNSUPPORTED,
          "The attempt counter file " + file + " of user '" + user + "' has format version "
              + e.unsupportedVersion() + "; this keytrust reads version " + VERSION + ". Use the keytrust version"
              + " that wrote it.", e);
    }
    return tampered(user, file + " does not parse: " + e.getMessage());
  }

  static KeytrustException tampered(String user, String detail) {
    return new KeytrustException(ErrorCode.COUNTER_TAMPERED,
        "The attempt counter of the software key of user '" + user + "' was modified (" + detail
            + "), so keytrust will not use this key. Delete it with `keytrust key delete --user " + user
            + "` and create a new one.");
  }

  private LockedOutException lockedOut(String user, Duration left) {
    return new LockedOutException(left,
        "The software key of user '" + user + "' is locked after " + policy.maxFailedAttempts()
            + " wrong PINs. Try again in " + Durations.human(left) + ". If the PIN is forgotten, the only way back is to"
            + " delete the key (`keytrust key delete --user " + user + "`) and create a new one.");
  }
}
