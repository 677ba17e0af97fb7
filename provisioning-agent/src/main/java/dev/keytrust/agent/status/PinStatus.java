package dev.keytrust.agent.status;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The user's PIN as status sees it without the PIN: when it was set and when it expires under the
 * effective policy ({@code PINComplexity/Expiration}).
 *
 * @param setAt when the current PIN was set, empty when no time is recorded
 * @param expiresAt when it expires, empty when it never does
 * @param expired true when it has expired: sign-in, {@code key sign} and {@code kinit} refuse it
 *     until the PIN is changed
 * @param describe the expiry in words, as of the probe
 */
public record PinStatus(Optional<Instant> setAt, Optional<Instant> expiresAt, boolean expired, String describe) {
  public PinStatus {
    Objects.requireNonNull(setAt, "setAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(describe, "describe");
  }
}
