package dev.keytrust.agent.pin;

import java.util.Objects;

/**
 * The effective PIN rules: the PassportForWork PINComplexity settings after policy resolution.
 *
 * @param minLength minimum length in characters, 4..127 and below {@code maxLength}
 * @param maxLength maximum length in characters, 4..127
 * @param digits rule for the digits 0-9
 * @param lowercase rule for the letters a-z
 * @param uppercase rule for the letters A-Z
 * @param special rule for the 32 printable ASCII punctuation characters
 * @param history number of past PINs that cannot be reused, 0..50 (0 = no history)
 * @param expirationDays days until a PIN expires, 0..730 (0 = never)
 */
public record PinPolicy(
    int minLength,
    int maxLength,
    CharClassRule digits,
    CharClassRule lowercase,
    CharClassRule uppercase,
    CharClassRule special,
    int history,
    int expirationDays) {

  /** Smallest minimum and maximum length the policy allows. */
  public static final int LENGTH_FLOOR = 4;
  /** Largest minimum and maximum length the policy allows. */
  public static final int LENGTH_CEILING = 127;
  /** Minimum length when the setting is not configured (the 2024 policy documentation's 6). */
  public static final int DEFAULT_MIN_LENGTH = 6;
  /** Maximum length when the setting is not configured. */
  public static final int DEFAULT_MAX_LENGTH = 127;
  /** Largest history the policy allows. */
  public static final int MAX_HISTORY = 50;
  /** Largest expiration in days the policy allows. */
  public static final int MAX_EXPIRATION_DAYS = 730;

  /** Checks the ranges; policy resolution reports bad values before building one of these. */
  public PinPolicy {
    Objects.requireNonNull(digits, "digits");
    Objects.requireNonNull(lowercase, "lowercase");
    Objects.requireNonNull(uppercase, "uppercase");
    Objects.requireNonNull(special, "special");
    if (minLength < LENGTH_FLOOR || maxLength > LENGTH_CEILING || minLength > maxLength) {
      throw new IllegalArgumentException(
          "PIN lengths must satisfy " + LENGTH_FLOOR + " <= min <= max <= " + LENGTH_CEILING
              + ", got min " + minLength + ", max " + maxLength);
    }
    if (history < 0 || history > MAX_HISTORY) {
      throw new IllegalArgumentException("PIN history must be 0.." + MAX_HISTORY + ", got " + history);
    }
    if (expirationDays < 0 || expirationDays > MAX_EXPIRATION_DAYS) {
      throw new IllegalArgumentException(
          "PIN expiration must be 0.." + MAX_EXPIRATION_DAYS + " days, got " + expirationDays);
    }
  }

  /**
   * The rules when nothing is configured: length 6..127, every class allowed and none required, no
   * history, no expiry.
   */
  public static PinPolicy defaults() {
    return new PinPolicy(
        DEFAULT_MIN_LENGTH,
        DEFAULT_MAX_LENGTH,
        CharClassRule.ALLOWED,
        CharClassRule.ALLOWED,
        CharClassRule.ALLOWED,
        CharClassRule.ALLOWED,
        0,
        0);
  }
}
