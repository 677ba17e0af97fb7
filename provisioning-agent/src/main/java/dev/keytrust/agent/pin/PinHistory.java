package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.StateFiles;
import dev.keytrust.error.Durations;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.store.TextRecord;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's PIN history and the time the current PIN was set, in one file of a state directory
 * ({@code pin-history-<sha256(user)>}, written atomically, 0600).
 *
 * <p><b>History.</b> Past PINs are kept as Argon2id hashes (newest first, the current PIN first of
 * all) under one random 16-byte salt per user, so checking a candidate costs one derivation
 * whatever the history length. The file keeps at most {@link PinPolicy#history()} hashes (none when
 * the policy has no history) and records the cost it was made with, so a cost change applies once
 * the old hashes are gone. {@link #clear()} removes the file: the PassportForWork history does not
 * survive a PIN reset.
 *
 * <p><b>Cost.</b> {@link #DEFAULT_COST} (19 MiB, t=2, p=1, the OWASP minimum for Argon2id) is lower
 * than the software key's {@link Argon2Parameters#DEFAULT}: a PIN creation derives once per
 * candidate (every retry) and once more to record it, while the user waits, and the hashes stand for
 * PINs whose key lies in a TPM or under the software key's own, costlier KDF. The file is still a
 * verifier of the current PIN: someone who can read it can guess short PINs offline at this cost,
 * around the TPM's anti-hammering. So it is owner-only, lives in the agent's state directory, holds
 * nothing at all when the policy has no history, and a policy that wants history on a multi-user or
 * hostile machine should pass a higher cost (see docs/mfa-and-pin.md).
 *
 * <p><b>Expiry.</b> {@link #record} stamps the time with the injected {@link Clock}; {@link
 * #expiresAt} and {@link #isExpired} apply {@link PinPolicy#expirationDays()} to it. A user with no
 * recorded time (a PIN set before this file existed) never expires.
 *
 * <p>Two processes recording at the same moment: the last write wins (each write is whole).
 */
public final class PinHistory {
  private static final Logger LOG = LoggerFactory.getLogger(PinHistory.class);

  /** Argon2id cost for new history files: m=19 MiB, t=2, p=1. */
  public static final Argon2Parameters DEFAULT_COST = new Argon2Parameters(19 * 1024, 2, 1);

  static final String KIND = "pin-history";
  static final String FORMAT = "keytrust-pin-history";
  static final int VERSION = 1;
  static final int SALT_LENGTH = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StateFiles files;
  private final Path file;
  private final String user;
  private final Argon2Parameters cost;
  private final Clock clock;

  private PinHistory(StateFiles files, Path file, String user, Argon2Parameters cost, Clock clock) {
    this.files = files;
    this.file = file;
    this.user = user;
    this.cost = cost;
    this.clock = clock;
  }

  /** The history of {@code user} in {@code stateDir}, with {@link #DEFAULT_COST} and the system clock. */
  public static PinHistory forUser(Path stateDir, String user) throws AgentException {
    return forUser(stateDir, user, DEFAULT_COST, Clock.systemUTC());
  }

  /**
   * The history of {@code user} in {@code stateDir}. Nothing is read or written yet.
   *
   * @param cost the Argon2id cost of a new file (an existing file keeps its own)
   * @param clock the time {@link #record} stamps
   * @throws AgentException INVALID_ARGUMENT for an empty or unprintable user name
   */
  public static PinHistory forUser(Path stateDir, String user, Argon2Parameters cost, Clock clock)
      throws AgentException {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(cost, "cost");
    Objects.requireNonNull(clock, "clock");
    StateFiles files = new StateFiles(stateDir, AgentErrorCode.PIN_HISTORY_IO, "PIN history");
    return new PinHistory(files, files.fileFor(KIND, user), user, cost, clock);
  }

  /** The file this history lives in. */
  public Path file() {
    return file;
  }

  /**
   * True when {@code pin} is one of the newest {@code depth} PINs (the current one first). One
   * Argon2id derivation when there is anything to compare, none otherwise; the comparison runs over
   * all {@code depth} entries in constant time.
   *
   * @throws AgentException PIN_HISTORY_IO when the file cannot be read or is damaged
   */
  public boolean contains(Pin pin, int depth) throws AgentException {
    Objects.requireNonNull(pin, "pin");
    if (depth <= 0) {
      return false;
    }
    Optional<State> state = load();
    if (state.isEmpty() || state.get().hashes.isEmpty()) {
      return false;
    }
    State s = state.get();
    byte[] hash = null;
    try {
      hash = derive(pin, s.cost, s.salt);
      boolean found = false;
      int n = Math.min(depth, s.hashes.size());
      for (int i = 0; i < n; i++) {
        found |= MessageDigest.isEqual(hash, s.hashes.get(i));
      }
      return found;
    } finally {
      if (hash != null) {
        Arrays.fill(hash, (byte) 0);
      }
      s.wipe();
    }
  }

  /**
   * Records {@code pin} as the user's new current PIN, set now: it goes first in the history, which
   * then keeps at most {@code policy.history()} hashes (none for a policy without history; the set
   * time is kept either way). Check the PIN with {@link PinRules#check(Pin, PinPolicy,
   * PinHistory)} first: this method does not refuse a reused PIN.
   *
   * @throws AgentException PIN_HISTORY_IO when the file cannot be read or written
   */
  public void record(Pin pin, PinPolicy policy) throws AgentException {
    Objects.requireNonNull(pin, "pin");
    Objects.requireNonNull(policy, "policy");
    Optional<State> old = load();
    List<byte[]> kept = new ArrayList<>();
    Argon2Parameters useCost = cost;
    byte[] salt = null;
    if (old.isPresent() && policy.history() > 1 && !old.get().hashes.isEmpty()) {
      // older hashes stay comparable only under their own salt and cost
      State s = old.get();
      useCost = s.cost;
      salt = s.salt.clone();
      for (int i = 0; i < Math.min(policy.history() - 1, s.hashes.size()); i++) {
        kept.add(s.hashes.get(i).clone());
      }
    }
    old.ifPresent(State::wipe);
    if (salt == null) {
      salt = new byte[SALT_LENGTH];
      RANDOM.nextBytes(salt);
    }
    List<byte[]> hashes = new ArrayList<>();
    try {
      if (policy.history() > 0) {
        hashes.add(derive(pin, useCost, salt));
      }
      hashes.addAll(kept);
      Instant now = clock.instant();
      files.write(file, new State(useCost, salt, Optional.of(now), hashes).toRecord(user));
      LOG.debug("Recorded a new PIN for user {} ({} PINs kept in history)", user, hashes.size());
    } finally {
      hashes.forEach(h -> Arrays.fill(h, (byte) 0));
      kept.forEach(h -> Arrays.fill(h, (byte) 0));
      Arrays.fill(salt, (byte) 0);
    }
  }

  /** How many PIN hashes are kept. */
  public int size() throws AgentException {
    Optional<State> state = load();
    int n = state.map(s -> s.hashes.size()).orElse(0);
    state.ifPresent(State::wipe);
    return n;
  }

  /** When the current PIN was set, if recorded. */
  public Optional<Instant> setAt() throws AgentException {
    Optional<State> state = load();
    state.ifPresent(State::wipe);
    return state.flatMap(s -> s.setAt);
  }

  /** When the current PIN expires under {@code policy}: empty when it never does or no set time is known. */
  public Optional<Instant> expiresAt(PinPolicy policy) throws AgentException {
    if (policy.expirationDays() == 0) {
      return Optional.empty();
    }
    return setAt().map(t -> t.plus(Duration.ofDays(policy.expirationDays())));
  }

  /** True when the current PIN has expired at {@code at} (at or after {@link #expiresAt}). */
  public boolean isExpired(PinPolicy policy, Instant at) throws AgentException {
    return expiresAt(policy).map(e -> !at.isBefore(e)).orElse(false);
  }

  /**
   * Throws when the current PIN has expired at {@code at}.
   *
   * @throws AgentException PIN_EXPIRED naming the expiry date and what to do
   */
  public void requireNotExpired(PinPolicy policy, Instant at) throws AgentException {
    Optional<Instant> expires = expiresAt(policy);
    if (expires.isPresent() && !at.isBefore(expires.get())) {
      throw new AgentException(AgentErrorCode.PIN_EXPIRED, "The PIN of user '" + user + "' expired at "
          + expires.get() + " (" + Durations.human(Duration.between(expires.get(), at)) + " ago; the policy lets a"
          + " PIN live " + policy.expirationDays() + " days): set a new PIN (keytrust pin change).");
    }
  }

  /** Forgets the history and the set time (for a PIN reset). */
  public void clear() throws AgentException {
    files.delete(file);
    LOG.debug("Cleared the PIN history of user {}", user);
  }

  private static byte[] derive(Pin pin, Argon2Parameters cost, byte[] salt) {
    return pin.withUtf8(InsecureSecretAccess.get(), utf8 -> cost.deriveKey(utf8, salt));
  }

  private Optional<State> load() throws AgentException {
    Optional<TextRecord> rec = files.read(file, FORMAT, VERSION);
    if (rec.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(State.from(rec.get(), user));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new AgentException(AgentErrorCode.PIN_HISTORY_IO, "The PIN history file " + file + " is damaged ("
          + e.getMessage() + "): remove it (the history starts again) and set the PIN anew if asked.", e);
    }
  }

  @Override
  public String toString() {
    return "PinHistory[user=" + user + ", file=" + file + "]";
  }

  /** The file's content. Hashes and salt are wiped by {@link #wipe()}. */
  private static final class State {
    final Argon2Parameters cost;
    final byte[] salt;
    final Optional<Instant> setAt;
    final List<byte[]> hashes;

    State(Argon2Parameters cost, byte[] salt, Optional<Instant> setAt, List<byte[]> hashes) {
      this.cost = cost;
      this.salt = salt;
      this.setAt = setAt;
      this.hashes = hashes;
    }

    TextRecord.Writer toRecord(String user) {
      Base64.Encoder b64 = Base64.getEncoder();
      StringBuilder joined = new StringBuilder();
      for (byte[] h : hashes) {
        joined.append(joined.length() == 0 ? "" : ",").append(b64.encodeToString(h));
      }
      TextRecord.Writer b = new TextRecord.Writer(FORMAT, VERSION)
          .text("user", user)
          .text("kdf", "argon2id")
          .text("memory-kib", Integer.toString(cost.memoryKiB()))
          .text("iterations", Integer.toString(cost.iterations()))
          .text("parallelism", Integer.toString(cost.parallelism()))
          .text("salt", b64.encodeToString(salt));
      setAt.ifPresent(t -> b.text("set-at", t.toString()));
      return b.text("hashes", joined.toString());
    }

    static State from(TextRecord r, String user) {
      if (!r.get("user").orElse("").equals(user)) {
        throw new IllegalArgumentException("it belongs to another user");
      }
      if (!r.get("kdf").orElse("").equals("argon2id")) {
        throw new IllegalArgumentException("unknown kdf");
      }
      Argon2Parameters cost = new Argon2Parameters(
          number(r, "memory-kib"), number(r, "iterations"), number(r, "parallelism"));
      byte[] salt = Base64.getDecoder().decode(r.get("salt").orElseThrow(() -> missing("salt")));
      if (salt.length != SALT_LENGTH) {
        throw new IllegalArgumentException("the salt is not " + SALT_LENGTH + " bytes");
      }
      Optional<Instant> setAt = r.get("set-at").map(Instant::parse);
      String all = r.get("hashes").orElseThrow(() -> missing("hashes"));
      List<byte[]> hashes = new ArrayList<>();
      if (!all.isEmpty()) {
        for (String h : all.split(",", -1)) {
          byte[] bytes = Base64.getDecoder().decode(h);
          if (bytes.length != 32) {
            throw new IllegalArgumentException("a hash is not 32 bytes");
          }
          hashes.add(bytes);
        }
      }
      if (hashes.size() > PinPolicy.MAX_HISTORY) {
        throw new IllegalArgumentException("more than " + PinPolicy.MAX_HISTORY + " hashes");
      }
      return new State(cost, salt, setAt, hashes);
    }

    private static int number(TextRecord r, String name) {
      String v = r.get(name).orElseThrow(() -> missing(name));
      if (!v.matches("[1-9][0-9]{0,8}")) {
        throw new IllegalArgumentException(name + " is not a number");
      }
      return Integer.parseInt(v);
    }

    private static IllegalArgumentException missing(String name) {
      return new IllegalArgumentException("no " + name + " field");
    }

    void wipe() {
      Arrays.fill(salt, (byte) 0);
      hashes.forEach(h -> Arrays.fill(h, (byte) 0));
    }
  }
}
