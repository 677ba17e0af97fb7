package dev.keytrust.agent.mfa;

import java.util.Objects;

/**
 * A successful {@link MfaRunner#run}.
 *
 * @param user who proved the factor
 * @param completion the MFA that counts (a fresh one reused, or the one just done)
 * @param reused true when no challenge ran because {@code completion} was fresh
 * @param attempts challenges run (0 when reused)
 */
public record MfaResult(String user, MfaCompletion completion, boolean reused, int attempts) {

  public MfaResult {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(completion, "completion");
  }
}
