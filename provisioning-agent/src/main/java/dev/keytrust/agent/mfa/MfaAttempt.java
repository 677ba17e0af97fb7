package dev.keytrust.agent.mfa;

/**
 * Which attempt of an MFA run this is.
 *
 * @param user who is proving the factor
 * @param method the provider's name
 * @param number 1 for the first attempt
 * @param maxAttempts attempts allowed in this run
 */
public record MfaAttempt(String user, String method, int number, int maxAttempts) {

  /** Attempts left after this one. */
  public int attemptsLeft() {
    return maxAttempts - number;
  }
}
