package dev.keytrust.agent.mfa;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords, RFC 6238: {@code HOTP(K, T)} with {@code T = floor(unixTime /
 * period)}, HOTP and its dynamic truncation as in RFC 4226 §5.3, 6 to 8 digits. Holds a copy of the
 * secret until {@link #destroy()}; {@link #toString()} shows the parameters only.
 */
public final class Totp {
  /** Time steps accepted on either side of the current one (RFC 6238 §5.2 recommends at most one). */
  public static final int WINDOW = 1;
  /** Shortest secret accepted, in bytes (80 bits; RFC 4226 asks for 128 and recommends 160). */
  public static final int MIN_SECRET_BYTES = 10;
  public static final int MIN_DIGITS = 6;
  public static final int MAX_DIGITS = 8;
  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(30);

  private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

  private final byte[] secret;
  private final TotpAlgorithm algorithm;
  private final int digits;
  private final long periodSeconds;
  private boolean destroyed;

  /**
   * @param secret the shared secret (copied; the caller clears its array)
   * @param algorithm the HMAC
   * @param digits 6..8
   * @param period the time step, 1 s..10 min (30 s normally)
   */
  public Totp(byte[] secret, TotpAlgorithm algorithm, int digits, Duration period) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(period, "period");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("a TOTP secret has at least " + MIN_SECRET_BYTES + " bytes");
    }
    if (digits < MIN_DIGITS || digits > MAX_DIGITS) {
      throw new IllegalArgumentException("TOTP codes have " + MIN_DIGITS + ".." + MAX_DIGITS + " digits, not " + digits);
    }
    if (period.getNano() != 0 || period.getSeconds() < 1 || period.getSeconds() > 600) {
      throw new IllegalArgumentException("the TOTP period is 1..600 whole seconds, not " + period);
    }
    this.secret = secret.clone();
    this.algorithm = algorithm;
    this.digits = digits;
    this.periodSeconds = period.getSeconds();
  }

  public TotpAlgorithm algorithm() {
    return algorithm;
  }

  public int digits() {
    return digits;
  }

  public Duration period() {
    return Duration.ofSeconds(periodSeconds);
  }

  /** The time step {@code T} of an instant (RFC 6238 §4.2, T0 = 0). */
  public long timeStep(Instant at) {
    return Math.floorDiv(at.getEpochSecond(), periodSeconds);
  }

  /** The code of time step {@code step}, zero-padded to {@link #digits()} characters; the caller clears it. */
  public char[] code(long step) {
    int value = hotp(step);
    char[] out = new char[digits];
    for (int i = digits - 1; i >= 0; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
    return out;
  }

  /**
   * The time step whose code is {@code code}, among the current step and {@link #WINDOW} steps on
   * either side, comparing every candidate in constant time (no early exit). Empty when none matches
   * or the code is not {@link #digits()} decimal digits.
   */
  public OptionalLong match(char[] code, Instant now) {
    long current = timeStep(now);
    long found = -1;
    boolean any = false;
    boolean wellFormed = code.length == digits;
    for (long step = current - WINDOW; step <= current + WINDOW; step++) {
      char[] expected = code(step);
      try {
        int diff = wellFormed ? 0 : 1;
        for (int i = 0; i < digits; i++) {
          diff |= expected[i] ^ (i < code.length ? code[i] : 0);
        }
        boolean hit = diff == 0;
        found = hit && !any ? step : found;
        any |= hit;
      } finally {
        Arrays.fill(expected, '\0');
      }
    }
    return any ? OptionalLong.of(found) : OptionalLong.empty();
  }

  /** Clears the secret; codes cannot be made afterwards. */
  public void destroy() {
    Arrays.fill(secret, (byte) 0);
    destroyed = true;
  }

  private int hotp(long counter) {
    if (destroyed) {
      throw new IllegalStateException("this TOTP has been destroyed");
    }
    byte[] msg = new byte[8];
    for (int i = 7; i >= 0; i--) {
      msg[i] = (byte) (counter & 0xff);
      counter >>>= 8;
    }
    byte[] hash;
    try {
      Mac mac = Mac.getInstance(algorithm.jcaName());
      mac.init(new SecretKeySpec(secret, algorithm.jcaName()));
      hash = mac.doFinal(msg);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("the JDK refused the TOTP secret as an HMAC key", e);
    } catch (GeneralSecurityException e) {
      throw new dev.keytrust.error.KeytrustBugException(algorithm.jcaName() + " missing from the JDK", e);
    }
    try {
      int offset = hash[hash.length - 1] & 0x0f;
      int binary = ((hash[offset] & 0x7f) << 24)
          | ((hash[offset + 1] & 0xff) << 16)
          | ((hash[offset + 2] & 0xff) << 8)
          | (hash[offset + 3] & 0xff);
      return binary % POWERS[digits];
    } finally {
      Arrays.fill(hash, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "Totp[" + algorithm + ", " + digits + " digits, " + periodSeconds + " s]";
  }
}
