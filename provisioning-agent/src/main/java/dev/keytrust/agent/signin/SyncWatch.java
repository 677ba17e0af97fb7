package dev.keytrust.agent.signin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.signin.DirectoryKeyVerifier.Lookup;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.error.KeytrustException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Waits for directory sync: polls the user's msDS-KeyCredentialLink until it holds the key (same
 * KeyID and public key), at most {@code cycles} times, {@code interval} apart. Once it does,
 * on-premises key trust sign-in with the key works. Each poll is reported to a {@link Listener}.
 * Needs no PIN.
 */
public final class SyncWatch {

  /** Sleeps between polls; tests pass their own. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** Called after every poll. */
  @FunctionalInterface
  public interface Listener {
    void polled(Poll poll);
  }

  /**
   * One poll.
   *
   * @param cycle which poll, from 1
   * @param cycles the most polls
   * @param at when it was made
   * @param userDn the user object read
   * @param values how many msDS-KeyCredentialLink values it had
   * @param match the value holding the key, if any
   * @param next the wait before the next poll, or null after the last one
   */
  public record Poll(int cycle, int cycles, Instant at, String userDn, int values,
      Optional<MatchedValue> match, Duration next) {}

  /**
   * How the watch ended.
   *
   * @param match the value holding the key, or empty when it did not appear
   * @param polls how many polls were made
   * @param started when the first poll was made
   * @param ended when the last poll was made
   * @param userDn the user object read
   * @param interrupted true when the waiting thread was interrupted before the last cycle
   */
  public record Result(Optional<MatchedValue> match, int polls, Instant started, Instant ended,
      String userDn, boolean interrupted) {
    public boolean appeared() {
      return match.isPresent();
    }
  }

  private final DirectoryKeyVerifier verifier;
  private final Clock clock;
  private final Sleeper sleeper;

  public SyncWatch(DirectoryKeyVerifier verifier) {
    this(verifier, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
  }

  public SyncWatch(DirectoryKeyVerifier verifier, Clock clock, Sleeper sleeper) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /**
   * Polls until the key is there or {@code cycles} polls have found nothing.
   *
   * @throws AgentException SIGNIN_DIRECTORY_VALUE_INCONSISTENT when a value has the key's KeyID
   *     but another public key, and the LDAP reader's errors (user not found, unreachable, ...)
   */
  public Result await(DirectoryAccount account, KeyContainer key, int cycles, Duration interval,
      Listener listener) throws KeytrustException {
    if (cycles < 1) {
      throw new IllegalArgumentException("cycles must be at least 1");
    }
    Objects.requireNonNull(interval, "interval");
    Instant started = null;
    String userDn = null;
    for (int cycle = 1; ; cycle++) {
      Instant at = clock.instant();
      if (started == null) {
        started = at;
      }
      Lookup lookup = verifier.lookup(account, key.keyId(), key.publicKey());
      userDn = lookup.userDn();
      boolean last = lookup.match().isPresent() || cycle == cycles;
      listener.polled(new Poll(cycle, cycles, at, userDn, lookup.values(), lookup.match(),
          last ? null : interval));
      if (last) {
        return new Result(lookup.match(), cycle, started, at, userDn, false);
      }
      try {
        sleeper.sleep(interval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(Optional.empty(), cycle, started, at, userDn, true);
      }
    }
  }
}
