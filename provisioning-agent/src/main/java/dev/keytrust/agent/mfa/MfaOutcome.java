package dev.keytrust.agent.mfa;

import java.util.Objects;

/**
 * The end of one MFA challenge.
 *
 * @param status how it ended
 * @param reason for the user: why it did not succeed ("the request was denied on the device", "the
 *     MFA service answered HTTP 503"); empty for {@link MfaStatus#SUCCEEDED}. Never holds a code,
 *     secret or token.
 */
public record MfaOutcome(MfaStatus status, String reason) {

  public MfaOutcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
  }

  public static MfaOutcome succeeded() {
    return new MfaOutcome(MfaStatus.SUCCEEDED, "");
  }

  public static MfaOutcome denied(String reason) {
    return new MfaOutcome(MfaStatus.DENIED, reason);
  }

  public static MfaOutcome timedOut(String reason) {
    return new MfaOutcome(MfaStatus.TIMED_OUT, reason);
  }

  public static MfaOutcome failed(String reason) {
    return new MfaOutcome(MfaStatus.FAILED, reason);
  }

  /** True for {@link MfaStatus#SUCCEEDED}. */
  public boolean isSuccess() {
    return status == MfaStatus.SUCCEEDED;
  }
}
