package dev.keytrust.agent.mfa;

import java.time.Instant;
import java.util.Objects;

/**
 * A completed MFA: which method and when. Kept by {@link MfaFreshness}, or supplied by an embedder
 * from its token's claims (e.g. method {@code token} and the time of its {@code auth_time}).
 *
 * @param method the method's name
 * @param completedAt when the user proved the factor
 */
public record MfaCompletion(String method, Instant completedAt) {

  public MfaCompletion {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(completedAt, "completedAt");
  }
}
