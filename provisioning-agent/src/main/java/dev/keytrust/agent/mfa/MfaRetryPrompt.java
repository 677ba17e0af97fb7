package dev.keytrust.agent.mfa;

/**
 * Decides whether to try again after an attempt that did not succeed, while attempts are left:
 * the CLI asks the user "Try again? [Y/n]", an unattended run answers with {@link #ALWAYS}.
 */
@FunctionalInterface
public interface MfaRetryPrompt {

  /** Retry while attempts are left, without asking. */
  MfaRetryPrompt ALWAYS = (attempt, outcome) -> true;

  /** Never retry: the first failure is final. */
  MfaRetryPrompt NEVER = (attempt, outcome) -> false;

  /**
   * @param attempt the attempt that just ended ({@link MfaAttempt#attemptsLeft()} is at least 1)
   * @param outcome how it ended (never SUCCEEDED)
   * @return true to start another attempt
   */
  boolean retry(MfaAttempt attempt, MfaOutcome outcome);
}
