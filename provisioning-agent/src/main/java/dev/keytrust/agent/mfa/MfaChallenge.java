package dev.keytrust.agent.mfa;

import java.time.Duration;

/**
 * One MFA attempt under way, made by {@link MfaProvider#start}. The runner calls {@link #await}
 * once, then {@link #close()}.
 */
public interface MfaChallenge extends AutoCloseable {

  /** What the user has to do now, e.g. "Approve the sign-in request on your device." */
  String instructions();

  /**
   * Waits until the challenge succeeds, is denied or fails, or {@code timeout} has passed (then
   * {@link MfaStatus#TIMED_OUT}). Problems are outcomes, not exceptions. A challenge that waits on a
   * person typing (TOTP) cannot interrupt the typing: it returns TIMED_OUT when the answer comes
   * after the timeout.
   *
   * @throws InterruptedException when the waiting thread is interrupted
   */
  MfaOutcome await(Duration timeout) throws InterruptedException;

  /** Releases what the challenge holds. Never throws. */
  @Override
  default void close() {}

  /** A challenge that has already ended, e.g. when starting it failed in a way a retry may fix. */
  static MfaChallenge finished(String instructions, MfaOutcome outcome) {
    return new MfaChallenge() {
      @Override
      public String instructions() {
        return instructions;
      }

      @Override
      public MfaOutcome await(Duration timeout) {
        return outcome;
      }
    };
  }
}
