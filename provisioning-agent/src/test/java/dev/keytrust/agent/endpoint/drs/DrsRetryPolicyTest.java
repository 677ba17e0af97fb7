package dev.keytrust.agent.endpoint.drs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Backoff with equal jitter, Retry-After precedence, and the attempt and time bounds. */
class DrsRetryPolicyTest {
  private static final RetryPolicy POLICY =
      new RetryPolicy(6, Duration.ofSeconds(60), Duration.ofMillis(500), Duration.ofSeconds(4));

  /** A "random" source that always returns its lowest or its highest value. */
  private static RandomGenerator fixed(boolean highest) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public long nextLong(long bound) {
        return highest ? bound - 1 : 0;
      }
    };
  }

  @Test
  void backoff_doublesFromTheBaseAndIsCapped_withJitterInTheUpperHalf() {
    RandomGenerator low = fixed(false);
    RandomGenerator high = fixed(true);
    long[] caps = {500, 1000, 2000, 4000, 4000, 4000};
    for (int failed = 1; failed <= caps.length; failed++) {
      long cap = caps[failed - 1];
      assertThat(POLICY.backoff(failed, low).toMillis()).as("lowest after %d", failed).isEqualTo(cap / 2);
      assertThat(POLICY.backoff(failed, high).toMillis()).as("highest after %d", failed).isEqualTo(cap);
    }
  }

  @Test
  void backoff_doesNotOverflowForManyFailures() {
    assertThat(POLICY.backoff(64, fixed(true))).isEqualTo(Duration.ofSeconds(4));
    assertThat(POLICY.backoff(1_000, fixed(false))).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void backoff_isSpreadByTheRandomSource() {
    RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 2000; i++) {
      long ms = POLICY.backoff(3, random).toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertThat(min).isBetween(1000L, 1100L);
    assertThat(max).isBetween(1900L, 2000L);
  }

  @Test
  void nextDelay_stopsAfterMaxAttempts() {
    RandomGenerator low = fixed(false);
    assertThat(POLICY.nextDelay(5, Duration.ZERO, Optional.empty(), low)).isPresent();
    assertThat(POLICY.nextDelay(6, Duration.ZERO, Optional.empty(), low)).isEmpty();
    RetryPolicy once = RetryPolicy.of(1, Duration.ofMinutes(1));
    assertThat(once.nextDelay(1, Duration.ZERO, Optional.empty(), low)).isEmpty();
  }

  @Test
  void nextDelay_retryAfterWinsOverBackoff_evenWhenShorter() {
    RandomGenerator high = fixed(true);
    assertThat(POLICY.nextDelay(1, Duration.ZERO, Optional.of(Duration.ofSeconds(7)), high))
        .contains(Duration.ofSeconds(7));
    assertThat(POLICY.nextDelay(4, Duration.ZERO, Optional.of(Duration.ZERO), high))
        .contains(Duration.ZERO);
  }

  @Test
  void nextDelay_noRetryWouldStartAfterTheTimeBudget() {
    RandomGenerator high = fixed(true);
    // 59.5 s elapsed + 0.5 s backoff = 60 s: still allowed
    assertThat(POLICY.nextDelay(1, Duration.ofMillis(59_500), Optional.empty(), high))
        .contains(Duration.ofMillis(500));
    assertThat(POLICY.nextDelay(1, Duration.ofMillis(59_501), Optional.empty(), high)).isEmpty();
    // a Retry-After beyond the budget ends the retries at once
    assertThat(POLICY.nextDelay(1, Duration.ofSeconds(1), Optional.of(Duration.ofSeconds(60)), high))
        .isEmpty();
  }

  @Test
  void constructor_refusesNonsense() {
    assertThatThrownBy(() -> RetryPolicy.of(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.of(11, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.of(3, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new RetryPolicy(3, Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> POLICY.backoff(0, fixed(true)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
