package dev.keytrust.key;

import java.time.Duration;
import java.util.Objects;

/**
 * How the software provider limits PIN guessing.
 *
 * <p>After {@code maxFailedAttempts} wrong PINs in a row the key is locked for {@code
 * lockoutDuration}. When that time has passed the user gets <em>one</em> more try; another wrong
 * PIN locks the key again for the same duration (so an attacker gets one guess per lockout
 * period, as with a TPM's dictionary-attack recovery). A correct PIN resets the count to zero.
 *
 * @param maxFailedAttempts wrong PINs before lockout, 1..100 (default {@value #DEFAULT_MAX_FAILED_ATTEMPTS})
 * @param lockoutDuration how long a lockout lasts, 1 second..30 days (default 15 minutes)
 */
public record SoftwareLockoutPolicy(int maxFailedAttempts, Duration lockoutDuration) {
  /** Default number of wrong PINs before lockout. */
  public static final int DEFAULT_MAX_FAILED_ATTEMPTS = 5;
  /** Default lockout duration: 15 minutes. */
  public static final Duration DEFAULT_LOCKOUT_DURATION = Duration.ofMinutes(15);
  /** 5 wrong PINs, then 15 minutes per further try. */
  public static final SoftwareLockoutPolicy DEFAULT =
      new SoftwareLockoutPolicy(DEFAULT_MAX_FAILED_ATTEMPTS, DEFAULT_LOCKOUT_DURATION);

  public SoftwareLockoutPolicy {
    Objects.requireNonNull(lockoutDuration, "lockoutDuration");
    if (maxFailedAttempts < 1 || maxFailedAttempts > 100) {
      throw new IllegalArgumentException("maxFailedAttempts must be 1..100, was " + maxFailedAttempts);
    }
    if (lockoutDuration.compareTo(Duration.ofSeconds(1)) < 0 || lockoutDuration.compareTo(Duration.ofDays(30)) > 0) {
      throw new IllegalArgumentException("lockoutDuration must be 1 second..30 days, was " + lockoutDuration);
    }
  }
}
