package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.Durations;
import java.time.Duration;
import java.time.Instant;

/** The difference between this machine's clock and the KDC's, and the error when it is too large. */
final class ClockSkew {
  private ClockSkew() {}

  /** KINIT_CLOCK_SKEW, saying by how much and which way the clocks differ. */
  static AgentException error(Instant local, Instant kdc, Duration allowed, KdcAddress address) {
    Duration skew = Duration.between(kdc, local);
    String way = skew.isNegative() ? "behind" : "ahead of";
    return new AgentException(AgentErrorCode.KINIT_CLOCK_SKEW, "This machine's clock is "
        + Durations.human(skew.abs()) + " " + way + " the KDC's (here " + local.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
        + ", KDC at " + address + ": " + kdc.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "); Kerberos allows "
        + Durations.human(allowed) + ". Set the clock right (synchronise it with the domain"
        + " controllers, e.g. over NTP), then sign in again.");
  }

  /** True when {@code local} and {@code kdc} are further apart than {@code allowed}. */
  static boolean tooLarge(Instant local, Instant kdc, Duration allowed) {
    return Duration.between(kdc, local).abs().compareTo(allowed) > 0;
  }
}
