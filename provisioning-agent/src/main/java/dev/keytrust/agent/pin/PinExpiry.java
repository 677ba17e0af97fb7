package dev.keytrust.agent.pin;

import dev.keytrust.error.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When the user's current PIN expires under the policy ({@code PINComplexity/Expiration}): the
 * time it was set (from the {@link PinHistory}, kept in clear) plus the policy's days.
 *
 * @param setAt when the current PIN was set; empty when no time is recorded (a PIN set before
 *     keytrust kept one, or no PIN): such a PIN never expires, as Windows treats a PIN with no set
 *     time
 * @param expirationDays the policy's days, 0 for never
 */
public record PinExpiry(Optional<Instant> setAt, int expirationDays) {

  public PinExpiry {
    Objects.requireNonNull(setAt, "setAt");
    if (expirationDays < 0) {
      throw new IllegalArgumentException("expirationDays < 0");
    }
  }

  /** When the PIN expires: empty when the policy sets no expiry or no set time is known. */
  public Optional<Instant> expiresAt() {
    return expirationDays == 0 ? Optional.empty()
        : setAt.map(t -> t.plus(Duration.ofDays(expirationDays)));
  }

  /** True when the PIN has expired at {@code now} (at or after {@link #expiresAt}). */
  public boolean expiredAt(Instant now) {
    return expiresAt().map(e -> !now.isBefore(e)).orElse(false);
  }

  /**
   * For reports: {@code never (PINComplexity/Expiration is 0)}, {@code never: no PIN set time is
   * recorded}, {@code 2027-01-05T10:00:00Z (in 30 d)}, {@code EXPIRED at 2027-01-05T10:00:00Z (2 d
   * ago): change the PIN}.
   */
  public String describe(Instant now) {
    if (expirationDays == 0) {
      return "never (PINComplexity/Expiration is 0)";
    }
    Optional<Instant> expires = expiresAt();
    if (expires.isEmpty()) {
      return "never: no PIN set time is recorded for this user";
    }
    Instant e = expires.get();
    return expiredAt(now)
        ? "EXPIRED at " + e + " (" + Durations.human(Duration.between(e, now)) + " ago; PINComplexity/Expiration is "
            + expirationDays + " days): change the PIN (keytrust pin change)"
        : e + " (in " + Durations.human(Duration.between(now, e)) + "; PINComplexity/Expiration is " + expirationDays
            + " days)";
  }
}
