package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.StateFiles;
import dev.keytrust.store.TextRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers successful MFA per user so that a fresh one is reused instead of asking again (spec
 * §3.2 and §5: no prompt if MFA happened within the last 10 minutes).
 *
 * <p>A completion is fresh when it lies at most {@link #window()} before now, and not more than
 * {@link #CLOCK_SKEW} after now (a time further in the future means the clock was set back or the
 * file is not ours; it is ignored). The persistent form keeps one file per user in the state
 * directory ({@code mfa-fresh-<sha256(user)>}: method and time, written atomically, 0600).
 *
 * <p>This is a convenience, not a security boundary: the user who owns the state directory can
 * write a fresh time into it. The registration server checks MFA itself through the token's
 * {@code amr} claim.
 */
public final class MfaFreshness {
  /** The spec's 10 minutes. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
  /** Longest window allowed. */
  public static final Duration MAX_WINDOW = Duration.ofHours(24);
  /** How far in the future a completion may lie (clocks of token issuers differ a little). */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  static final String KIND = "mfa-fresh";
  static final String FORMAT = "keytrust-mfa-freshness";
  static final int VERSION = 1;

  private final StateFiles files;
  private final Map<String, MfaCompletion> memory;
  private final Duration window;
  private final Clock clock;

  private MfaFreshness(StateFiles files, Map<String, MfaCompletion> memory, Duration window, Clock clock) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(clock, "clock");
    if (window.isNegative() || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException("the MFA freshness window must be 0.." + MAX_WINDOW + ", got " + window);
    }
    this.files = files;
    this.memory = memory;
    this.window = window;
    this.clock = clock;
  }

  /** Files in {@code stateDir}, the 10-minute window, the system clock. */
  public static MfaFreshness inDirectory(Path stateDir) {
    return inDirectory(stateDir, DEFAULT_WINDOW, Clock.systemUTC());
  }

  /** Files in {@code stateDir}; {@code window} 0 never reuses. */
  public static MfaFreshness inDirectory(Path stateDir, Duration window, Clock clock) {
    Objects.requireNonNull(stateDir, "stateDir");
    return new MfaFreshness(new StateFiles(stateDir, AgentErrorCode.MFA_STATE_IO, "MFA state"), null, window, clock);
  }

  /** Kept in memory, for this object's lifetime (an embedder's long-running process, tests). */
  public static MfaFreshness inMemory(Duration window, Clock clock) {
    return new MfaFreshness(null, new ConcurrentHashMap<>(), window, clock);
  }

  /** Never reuses and remembers nothing: every run asks. */
  public static MfaFreshness none() {
    return new MfaFreshness(null, null, Duration.ZERO, Clock.systemUTC());
  }

  public Duration window() {
    return window;
  }

  public Clock clock() {
    return clock;
  }

  /** True when {@code completion} happened within the window before now (see the class comment). */
  public boolean isFresh(MfaCompletion completion) {
    if (window.isZero()) {
      return false;
    }
    Instant now = clock.instant();
    Instant at = completion.completedAt();
    return !at.isAfter(now.plus(CLOCK_SKEW)) && !at.plus(window).isBefore(now);
  }

  /**
   * The user's remembered MFA, when it is still fresh.
   *
   * @throws AgentException MFA_STATE_IO when the file cannot be read, is open to others or damaged
   */
  public Optional<MfaCompletion> find(String user) throws AgentException {
    StateFiles.checkUser(user);
    Optional<MfaCompletion> found;
    if (files != null) {
      Path file = files.fileFor(KIND, user);
      Optional<TextRecord> rec = files.read(file, FORMAT, VERSION);
      found = rec.isEmpty() ? Optional.empty() : Optional.of(parse(rec.get(), user, file));
    } else {
      found = memory == null ? Optional.empty() : Optional.ofNullable(memory.get(user));
    }
    return found.filter(this::isFresh);
  }

  /**
   * Remembers a successful MFA (replacing the previous one).
   *
   * @throws AgentException MFA_STATE_IO when the file cannot be written
   */
  public void remember(String user, MfaCompletion completion) throws AgentException {
    StateFiles.checkUser(user);
    Objects.requireNonNull(completion, "completion");
    if (files != null) {
      files.write(files.fileFor(KIND, user), new TextRecord.Writer(FORMAT, VERSION)
          .text("user", user)
          .text("method", completion.method())
          .text("completed-at", completion.completedAt().toString()));
    } else if (memory != null) {
      memory.put(user, completion);
    }
  }

  /** Forgets the user's MFA, so the next run asks. */
  public void forget(String user) throws AgentException {
    StateFiles.checkUser(user);
    if (files != null) {
      files.delete(files.fileFor(KIND, user));
    } else if (memory != null) {
      memory.remove(user);
    }
  }

  private static MfaCompletion parse(TextRecord rec, String user, Path file) throws AgentException {
    try {
      if (!rec.get("user").orElse("").equals(user)) {
        throw new IllegalArgumentException("it names another user");
      }
      String method = rec.get("method").filter(m -> !m.isEmpty())
          .orElseThrow(() -> new IllegalArgumentException("no method"));
      Instant at = Instant.parse(rec.get("completed-at")
          .orElseThrow(() -> new IllegalArgumentException("no completed-at")));
      return new MfaCompletion(method, at);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new AgentException(AgentErrorCode.MFA_STATE_IO, "The MFA state file " + file + " is damaged ("
          + e.getMessage() + "): remove it; the next MFA writes a new one.", e);
    }
  }

  @Override
  public String toString() {
    return "MfaFreshness[window=" + window + (files != null ? ", " + files : memory != null ? ", in memory" : "") + "]";
  }
}
