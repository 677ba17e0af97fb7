package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.StateFiles;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.Durations;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.key.SealedSecret;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.store.OwnerOnlyFiles;
import dev.keytrust.store.TextRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
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
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's PIN history and the time the current PIN was set, in one file of a state directory
 * ({@code pin-history-<sha256(user)>}, written atomically, 0600).
 *
 * <p><b>History, sealed.</b> Past PINs are kept as Argon2id hashes (newest first, the current PIN
 * first of all) under one random 16-byte salt per list, so checking a candidate costs one
 * derivation whatever the history length. The list is encrypted (AES-256-GCM, bound to the user
 * and to the sealed secret) under a random 32-byte secret that is sealed with the <em>current</em>
 * PIN through a {@link PinSealer}: in the TPM a sealed data object under the storage root key, its
 * auth value derived from the PIN, counted by the TPM's dictionary-attack protection and unsealed
 * through an encrypted session; for a software key, AES-GCM under Argon2id(PIN) at the software
 * key's own cost. The file alone therefore lets nobody check a PIN guess: a guess needs the TPM
 * (which counts it) or the software key's full KDF cost. Each {@link #record} seals a new secret
 * with the new PIN, so an old copy of the file opens with the old PIN only.
 *
 * <p><b>Use.</b> {@link #unlock} with the current PIN (the PIN change has it: it has just proved
 * it by signing) decrypts the list into this object; {@link #contains} then checks candidates
 * against it, and {@link #record} writes the new list sealed with the new PIN. A history that was
 * not unlocked cannot be checked (a PIN change resumed after the old key was deleted asks no
 * current PIN: MFA stands in for it) and is started anew by {@link #record}. A secret sealed for an
 * earlier key (a run killed between making the new key and recording its PIN) is not tried with
 * the current PIN ({@code SEALED_SECRET_STALE}, no TPM try spent): the list starts again from the
 * current PIN.
 *
 * <p><b>Plain files of earlier versions</b> (version 1: the hashes in clear, a verifier of the
 * current PIN for anyone who can read the file) are still read, and are replaced by a sealed file
 * at the next {@link #record}: the next PIN change or provisioning. {@link #clear()} removes the
 * file: the PassportForWork history does not survive a PIN reset.
 *
 * <p><b>Cost.</b> {@link #DEFAULT_COST} (19 MiB, t=2, p=1, the OWASP minimum for Argon2id) is lower
 * than the software key's {@link Argon2Parameters#DEFAULT}: a PIN creation derives once per
 * candidate (every retry) and once more to record it, while the user waits. It matters only to
 * someone who already has the sealed secret (the current PIN, or root watching the process).
 *
 * <p><b>Expiry.</b> {@link #record} stamps the time with the injected {@link Clock}; {@link
 * #expiresAt} and {@link #isExpired} apply {@link PinPolicy#expirationDays()} to it. The set time is
 * not secret and is kept in clear. A user with no recorded time (a PIN set before this file
 * existed) never expires.
 *
 * <p>Two processes recording at the same moment: the last write wins (each write is whole).
 */
public final class PinHistory {
  private static final Logger LOG = LoggerFactory.getLogger(PinHistory.class);

  /** Argon2id cost for new history lists: m=19 MiB, t=2, p=1. */
  public static final Argon2Parameters DEFAULT_COST = new Argon2Parameters(19 * 1024, 2, 1);

  static final String KIND = "pin-history";
  static final String FORMAT = "keytrust-pin-history";
  /** The sealed format. */
  static final int VERSION = 2;
  /** The plain format of earlier keytrust versions: read, never written. */
  static final int PLAIN_VERSION = 1;
  static final int SALT_LENGTH = 16;
  static final int SECRET_LENGTH = 32;
  static final int NONCE_LENGTH = 12;
  static final byte[] AAD_LABEL = "keytrust/pin-history/v2".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StateFiles files;
  private final Path file;
  private final String user;
  private final Argon2Parameters cost;
  private final Clock clock;
  private PinSealer sealer;
  /** The list as this object last opened or wrote it; null until {@link #unlock} or {@link #record}. */
  private Entries unlocked;

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
   * The history of {@code user} in {@code stateDir}. Nothing is read or written yet. It needs a
   * {@link PinSealer} ({@link #sealedWith}) before it can keep or read a list.
   *
   * @param cost the Argon2id cost of a new list (a kept list keeps its own)
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

  /** Seals and opens this history's secret with {@code sealer}; returns this history. */
  public PinHistory sealedWith(PinSealer sealer) {
    this.sealer = Objects.requireNonNull(sealer, "sealer");
    return this;
  }

  /** The file this history lives in. */
  public Path file() {
    return file;
  }

  /**
   * Opens the list with the current PIN, which the caller has just proved: the sealed secret is
   * released by the TPM (or the software KDF) only for that PIN. A plain file of an earlier
   * version is read as it is (and sealed at the next {@link #record}); no file, or a file without
   * a list, opens as empty.
   *
   * @throws KeytrustException a wrong PIN or lockout as the key's provider reports it;
   *     PIN_HISTORY_IO when the file is damaged or its list does not decrypt
   */
  public void unlock(Pin currentPin) throws KeytrustException {
    Objects.requireNonNull(currentPin, "currentPin");
    Optional<Stored> stored = load();
    wipeUnlocked();
    if (stored.isEmpty()) {
      unlocked = Entries.none();
      return;
    }
    Stored s = stored.get();
    if (s.plain != null) {
      LOG.info("The PIN history of user {} is an unsealed file of an earlier version; it is sealed at the next"
          + " PIN change", user);
      unlocked = s.plain;
      return;
    }
    if (s.sealed == null) {
      unlocked = Entries.none();
      return;
    }
    try (SecretBuffer secret = requireSealer().unseal(user, s.sealed, currentPin)) {
      unlocked = s.decrypt(secret, user);
    } catch (KeytrustException e) {
      if (e.code() != CoreErrorCode.SEALED_SECRET_STALE) {
        throw e;
      }
      // sealed with the PIN of an earlier key: the list cannot be opened; it starts again from the current PIN
      LOG.warn("The PIN history of user {} was sealed for an earlier key ({}); it starts again from the current PIN",
          user, e.getMessage());
      byte[] salt = randomBytes(SALT_LENGTH);
      List<byte[]> hashes = new ArrayList<>();
      hashes.add(derive(currentPin, cost, salt));
      unlocked = new Entries(cost, salt, hashes);
    }
  }

  /**
   * True when {@code pin} is one of the newest {@code depth} PINs (the current one first). One
   * Argon2id derivation when there is anything to compare, none otherwise; the comparison runs over
   * all {@code depth} entries in constant time. A sealed list that was not {@link #unlock}ed
   * cannot be checked: it counts as empty (logged).
   *
   * @throws AgentException PIN_HISTORY_IO when the file cannot be read or is damaged
   */
  public boolean contains(Pin pin, int depth) throws AgentException {
    Objects.requireNonNull(pin, "pin");
    if (depth <= 0) {
      return false;
    }
    Entries entries = readable();
    if (entries.hashes.isEmpty()) {
      return false;
    }
    byte[] hash = null;
    try {
      hash = derive(pin, entries.cost, entries.salt);
      boolean found = false;
      int n = Math.min(depth, entries.hashes.size());
      for (int i = 0; i < n; i++) {
        found |= MessageDigest.isEqual(hash, entries.hashes.get(i));
      }
      return found;
    } finally {
      if (hash != null) {
        Arrays.fill(hash, (byte) 0);
      }
      if (entries != unlocked) {
        entries.wipe();
      }
    }
  }

  /** The list this object can read without a PIN: the unlocked one, a plain file's, or none. */
  private Entries readable() throws AgentException {
    return unlocked != null ? unlocked : readable(load());
  }

  /** {@link #readable()} of a history that was not unlocked, from the file as {@link #load} read it. */
  private Entries readable(Optional<Stored> stored) {
    if (stored.isPresent() && stored.get().plain != null) {
      return stored.get().plain;
    }
    if (stored.isPresent() && stored.get().sealed != null) {
      LOG.warn("The sealed PIN history of user {} was not opened with the current PIN: it cannot be checked", user);
    }
    return Entries.none();
  }

  /**
   * Records {@code pin} as the user's new current PIN, set now: it goes first in the history, which
   * then keeps at most {@code policy.history()} hashes (none for a policy without history; the set
   * time is kept either way). The list is sealed with {@code pin} under a new secret. Check the PIN
   * with {@link PinRules#check(Pin, PinPolicy, PinHistory)} first: this method does not refuse a
   * reused PIN. Call it once the user's key has {@code pin} as its PIN (the sealer seals with it).
   *
   * @throws KeytrustException PIN_HISTORY_IO when the file cannot be read or written; what the
   *     sealer throws
   */
  public void record(Pin pin, PinPolicy policy) throws KeytrustException {
    record(pin, policy, OwnerOnlyFiles.Durability.DURABLE);
  }

  /**
   * {@link #record(Pin, PinPolicy)}, with the file forced to disk or only written atomically
   * ({@link OwnerOnlyFiles.Durability#ATOMIC}): a killed process leaves the old or the new history
   * either way; after a power cut an unforced history may be the old file, sealed with an earlier
   * PIN, which {@link #unlock} then starts again from the current PIN. Provisioning uses that (see
   * {@link dev.keytrust.agent.flow.ProvisioningFlow}); a PIN change forces it.
   */
  public void record(Pin pin, PinPolicy policy, OwnerOnlyFiles.Durability durability) throws KeytrustException {
    Objects.requireNonNull(pin, "pin");
    Objects.requireNonNull(policy, "policy");
    // the file is read once: what readable() reads also says whether a sealed list is set aside
    Optional<Stored> stored = unlocked == null ? load() : Optional.empty();
    Entries old = unlocked != null ? unlocked : readable(stored);
    if (unlocked == null && old.hashes.isEmpty() && stored.map(s -> s.sealed != null).orElse(false)) {
      LOG.warn("The sealed PIN history of user {} was not opened with the current PIN; it starts again", user);
    }
    List<byte[]> kept = new ArrayList<>();
    Argon2Parameters useCost = cost;
    byte[] salt = null;
    if (policy.history() > 1 && !old.hashes.isEmpty()) {
      // older hashes stay comparable only under their own salt and cost
      useCost = old.cost;
      salt = old.salt.clone();
      for (int i = 0; i < Math.min(policy.history() - 1, old.hashes.size()); i++) {
        kept.add(old.hashes.get(i).clone());
      }
    }
    if (old != unlocked) {
      old.wipe();
    }
    if (salt == null) {
      salt = randomBytes(SALT_LENGTH);
    }
    List<byte[]> hashes = new ArrayList<>();
    if (policy.history() > 0) {
      hashes.add(derive(pin, useCost, salt));
    }
    hashes.addAll(kept);
    Entries next = new Entries(useCost, salt, hashes);
    Instant now = clock.instant();
    TextRecord.Writer w = new TextRecord.Writer(FORMAT, VERSION).text("user", user).text("set-at", now.toString());
    if (!hashes.isEmpty()) {
      try (SecretBuffer secret = SecretBuffer.moveFrom(randomBytes(SECRET_LENGTH))) {
        SealedSecret sealed = requireSealer().seal(user, secret, pin);
        byte[] nonce = randomBytes(NONCE_LENGTH);
        byte[] payload = next.encode();
        try {
          byte[] ciphertext = secret.withCopy(InsecureSecretAccess.get(),
              k -> gcm(Cipher.ENCRYPT_MODE, k, nonce, aad(user, sealed.encode()), payload));
          w.text("sealed", sealed.encode())
              .text("entries", Integer.toString(hashes.size()))
              .bytes("nonce", nonce)
              .bytes("list", ciphertext);
        } catch (AEADBadTagException e) {
          throw new KeytrustBugException("AES-GCM encryption reported a tag failure", e);
        } finally {
          Arrays.fill(payload, (byte) 0);
        }
      } catch (KeytrustException | RuntimeException e) {
        next.wipe();
        throw e;
      }
    }
    files.write(file, w, durability);
    wipeUnlocked();
    unlocked = next; // holds the kept hashes: wiped with it
    LOG.debug("Recorded a new PIN for user {} ({} PINs kept in the sealed history)", user, hashes.size());
  }

  /** How many PIN hashes are kept (a sealed file says so in clear; the hashes it does not). */
  public int size() throws AgentException {
    if (unlocked != null) {
      return unlocked.hashes.size();
    }
    Optional<Stored> stored = load();
    int n = stored.map(s -> s.entries).orElse(0);
    stored.ifPresent(Stored::wipe);
    return n;
  }

  /** When the current PIN was set, if recorded. */
  public Optional<Instant> setAt() throws AgentException {
    Optional<Stored> stored = load();
    stored.ifPresent(Stored::wipe);
    return stored.flatMap(s -> s.setAt);
  }

  /** When the current PIN expires under {@code policy}; reads the set time only (no PIN needed). */
  public PinExpiry expiry(PinPolicy policy) throws AgentException {
    return new PinExpiry(policy.expirationDays() == 0 ? Optional.empty() : setAt(), policy.expirationDays());
  }

  /** When the current PIN expires under {@code policy}: empty when it never does or no set time is known. */
  public Optional<Instant> expiresAt(PinPolicy policy) throws AgentException {
    return expiry(policy).expiresAt();
  }

  /** True when the current PIN has expired at {@code at} (at or after {@link #expiresAt}). */
  public boolean isExpired(PinPolicy policy, Instant at) throws AgentException {
    return expiry(policy).expiredAt(at);
  }

  /**
   * Throws when the current PIN has expired at {@code at}: call it before the PIN is asked for
   * (a sign-in, a signature, a Kerberos ticket), so an expired PIN is not used and no TPM try is
   * spent; a PIN change still takes the expired PIN as the current one.
   *
   * @throws AgentException PIN_EXPIRED naming the expiry date and what to do
   */
  public void requireNotExpired(PinPolicy policy, Instant at) throws AgentException {
    PinExpiry expiry = expiry(policy);
    if (expiry.expiredAt(at)) {
      Instant expired = expiry.expiresAt().orElseThrow();
      throw new AgentException(AgentErrorCode.PIN_EXPIRED, "The PIN of user '" + user + "' expired at "
          + expired + " (" + Durations.human(Duration.between(expired, at)) + " ago; the policy lets a"
          + " PIN live " + policy.expirationDays() + " days): set a new PIN (keytrust pin change).");
    }
  }

  /** Forgets the history and the set time (for a PIN reset). */
  public void clear() throws AgentException {
    files.delete(file);
    wipeUnlocked();
    LOG.debug("Cleared the PIN history of user {}", user);
  }

  private PinSealer requireSealer() {
    if (sealer == null) {
      throw new IllegalStateException("this PIN history has no PinSealer: call sealedWith first");
    }
    return sealer;
  }

  private void wipeUnlocked() {
    if (unlocked != null) {
      unlocked.wipe();
      unlocked = null;
    }
  }

  private static byte[] derive(Pin pin, Argon2Parameters cost, byte[] salt) {
    return pin.withUtf8(InsecureSecretAccess.get(), utf8 -> cost.deriveKey(utf8, salt));
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** The GCM additional data: the label, the user and the sealed secret the list belongs to. */
  static byte[] aad(String user, String sealed) {
    byte[] u = user.getBytes(StandardCharsets.UTF_8);
    byte[] s = sealed.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(AAD_LABEL.length + 1 + 4 + u.length + 4 + s.length);
    b.put(AAD_LABEL).put((byte) 0).putInt(u.length).put(u).putInt(s.length).put(s);
    return b.array();
  }

  private static byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] input) throws AEADBadTagException {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(aad);
      return c.doFinal(input);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("AES-256-GCM failed", e);
    }
  }

  /** The file as stored: version 2 (sealed list, or none) or version 1 (plain list). */
  private Optional<Stored> load() throws AgentException {
    Optional<TextRecord> rec;
    try {
      rec = files.read(file, FORMAT, VERSION);
    } catch (AgentException e) {
      if (!(e.getCause() instanceof TextRecord.FormatException f) || f.unsupportedVersion() != PLAIN_VERSION) {
        throw e;
      }
      rec = files.read(file, FORMAT, PLAIN_VERSION);
    }
    if (rec.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Stored.from(rec.get(), user));
    } catch (IllegalArgumentException | DateTimeParseException | KeytrustException e) {
      throw damaged(e.getMessage(), e);
    }
  }

  private AgentException damaged(String why, Throwable cause) {
    return new AgentException(AgentErrorCode.PIN_HISTORY_IO, "The PIN history file " + file + " is damaged ("
        + why + "): remove it (the history starts again) and set the PIN anew if asked.", cause);
  }

  @Override
  public String toString() {
    return "PinHistory[user=" + user + ", file=" + file + "]";
  }

  /** A list of hashes under one salt and cost. Hashes and salt are wiped by {@link #wipe()}. */
  private static final class Entries {
    final Argon2Parameters cost;
    final byte[] salt;
    final List<byte[]> hashes;

    Entries(Argon2Parameters cost, byte[] salt, List<byte[]> hashes) {
      this.cost = cost;
      this.salt = salt;
      this.hashes = hashes;
    }

    static Entries none() {
      return new Entries(DEFAULT_COST, new byte[SALT_LENGTH], new ArrayList<>());
    }

    /** memoryKiB, iterations, parallelism (u32 each), salt (16), count (u32), hashes (32 each). */
    byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(12 + SALT_LENGTH + 4 + 32 * hashes.size());
      b.putInt(cost.memoryKiB()).putInt(cost.iterations()).putInt(cost.parallelism()).put(salt).putInt(hashes.size());
      hashes.forEach(b::put);
      return b.array();
    }

    static Entries decode(byte[] data) {
      try {
        ByteBuffer b = ByteBuffer.wrap(data);
        Argon2Parameters cost = new Argon2Parameters(b.getInt(), b.getInt(), b.getInt());
        byte[] salt = new byte[SALT_LENGTH];
        b.get(salt);
        int n = b.getInt();
        if (n < 0 || n > PinPolicy.MAX_HISTORY || b.remaining() != 32 * n) {
          throw new IllegalArgumentException("the list does not hold " + n + " hashes");
        }
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          byte[] h = new byte[32];
          b.get(h);
          hashes.add(h);
        }
        return new Entries(cost, salt, hashes);
      } catch (java.nio.BufferUnderflowException e) {
        throw new IllegalArgumentException("the list is truncated");
      }
    }

    void wipe() {
      Arrays.fill(salt, (byte) 0);
      hashes.forEach(h -> Arrays.fill(h, (byte) 0));
    }
  }

  /** The file's content: its set time, and a sealed list (version 2) or a plain one (version 1). */
  private static final class Stored {
    final Optional<Instant> setAt;
    final Entries plain;
    final SealedSecret sealed;
    final String sealedText;
    final byte[] nonce;
    final byte[] list;
    final int entries;

    private Stored(Optional<Instant> setAt, Entries plain, SealedSecret sealed, String sealedText, byte[] nonce,
        byte[] list, int entries) {
      this.setAt = setAt;
      this.plain = plain;
      this.sealed = sealed;
      this.sealedText = sealedText;
      this.nonce = nonce;
      this.list = list;
      this.entries = entries;
    }

    static Stored from(TextRecord r, String user) throws KeytrustException {
      if (!r.get("user").orElse("").equals(user)) {
        throw new IllegalArgumentException("it belongs to another user");
      }
      Optional<Instant> setAt = r.get("set-at").map(Instant::parse);
      if (r.version() == PLAIN_VERSION) {
        Entries plain = plainEntries(r);
        return new Stored(setAt, plain, null, null, null, null, plain.hashes.size());
      }
      Optional<String> sealedText = r.get("sealed");
      if (sealedText.isEmpty()) {
        return new Stored(setAt, null, null, null, null, null, 0);
      }
      String entries = r.get("entries").orElseThrow(() -> missing("entries"));
      if (!entries.matches("[0-9]{1,3}")) {
        throw new IllegalArgumentException("entries is not a number");
      }
      byte[] nonce = Base64.getDecoder().decode(r.get("nonce").orElseThrow(() -> missing("nonce")));
      byte[] list = Base64.getDecoder().decode(r.get("list").orElseThrow(() -> missing("list")));
      if (nonce.length != NONCE_LENGTH || list.length <= 16) {
        throw new IllegalArgumentException("the nonce or the list has the wrong size");
      }
      return new Stored(setAt, null, SealedSecret.decode(sealedText.get()), sealedText.get(), nonce, list,
          Integer.parseInt(entries));
    }

    /** Decrypts the sealed list with the unsealed secret. */
    Entries decrypt(SecretBuffer secret, String user) throws AgentException {
      byte[] payload;
      try {
        payload = secret.withCopy(InsecureSecretAccess.get(),
            k -> gcm(Cipher.DECRYPT_MODE, k, nonce, aad(user, sealedText), list));
      } catch (AEADBadTagException e) {
        throw new AgentException(AgentErrorCode.PIN_HISTORY_IO, "The sealed PIN history of user '" + user
            + "' does not decrypt with its own secret: the file was changed. Remove it (the history starts again).", e);
      }
      try {
        return Entries.decode(payload);
      } catch (IllegalArgumentException e) {
        throw new AgentException(AgentErrorCode.PIN_HISTORY_IO, "The sealed PIN history of user '" + user
            + "' is damaged (" + e.getMessage() + "): remove it (the history starts again).", e);
      } finally {
        Arrays.fill(payload, (byte) 0);
      }
    }

    /** Version 1: kdf, cost, salt and the hashes in clear. */
    private static Entries plainEntries(TextRecord r) {
      if (!r.get("kdf").orElse("").equals("argon2id")) {
        throw new IllegalArgumentException("unknown kdf");
      }
      Argon2Parameters cost = new Argon2Parameters(
          number(r, "memory-kib"), number(r, "iterations"), number(r, "parallelism"));
      byte[] salt = Base64.getDecoder().decode(r.get("salt").orElseThrow(() -> missing("salt")));
      if (salt.length != SALT_LENGTH) {
        throw new IllegalArgumentException("the salt is not " + SALT_LENGTH + " bytes");
      }
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
      return new Entries(cost, salt, hashes);
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
      if (plain != null) {
        plain.wipe();
      }
    }
  }
}
