package dev.keytrust.agent.endpoint.drs;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a request again: at most {@code maxAttempts} attempts, and no attempt starts after
 * {@code maxRetryTime} has passed since the first one began.
 *
 * <p>The wait before attempt {@code n + 1} (after {@code n} failed attempts) is exponential backoff
 * with "equal jitter": {@code cap = min(maxDelay, baseDelay * 2^(n-1))}, wait {@code cap/2 +
 * random(0, cap/2)}. Spreading the waits keeps many agents that failed together from coming back
 * together. When the server sent {@code Retry-After}, its value is the wait instead (never less).
 *
 * @param maxAttempts attempts in all, 1 (no retry) to {@value #MAX_ATTEMPTS_LIMIT}
 * @param maxRetryTime the time after the first attempt began within which a retry may start
 * @param baseDelay the cap of the first wait
 * @param maxDelay the cap of any computed wait (a server's Retry-After may ask for more)
 */
record RetryPolicy(int maxAttempts, Duration maxRetryTime, Duration baseDelay, Duration maxDelay) {
  static final int MAX_ATTEMPTS_LIMIT = 10;
  static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(500);
  static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);

  RetryPolicy {
    Objects.requireNonNull(maxRetryTime, "maxRetryTime");
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
      throw new IllegalArgumentException("maxAttempts must be 1.." + MAX_ATTEMPTS_LIMIT);
    }
    if (maxRetryTime.isNegative() || baseDelay.isNegative() || baseDelay.isZero()
        || maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException("delays must be positive and maxDelay >= baseDelay");
    }
  }

  /** The given bounds with the default backoff delays. */
  static RetryPolicy of(int maxAttempts, Duration maxRetryTime) {
    return new RetryPolicy(maxAttempts, maxRetryTime, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY);
  }

  /** The computed backoff after {@code failedAttempts} failures (1 or more), before the budget. */
  Duration backoff(int failedAttempts, RandomGenerator random) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts must be at least 1");
    }
    long base = baseDelay.toMillis();
    long cap = maxDelay.toMillis();
    int shift = Math.min(failedAttempts - 1, 30);
    long exp = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
    long half = exp / 2;
    return Duration.ofMillis(half + random.nextLong(exp - half + 1));
  }

  /**
   * The wait before the next attempt, or empty when no attempt may follow.
   *
   * @param failedAttempts attempts made so far, all failed with a retryable outcome
   * @param elapsed time since the first attempt began
   * @param retryAfter the server's {@code Retry-After}, if it sent one
   */
  Optional<Duration> nextDelay(
      int failedAttempts, Duration elapsed, Optional<Duration> retryAfter, RandomGenerator random) {
    if (failedAttempts >= maxAttempts) {
      return Optional.empty();
    }
    Duration wait = retryAfter.orElseGet(() -> backoff(failedAttempts, random));
    if (elapsed.plus(wait).compareTo(maxRetryTime) > 0) {
      return Optional.empty();
    }
    return Optional.of(wait);
  }
}
