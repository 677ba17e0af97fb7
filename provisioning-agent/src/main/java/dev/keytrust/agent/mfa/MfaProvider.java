package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;

/**
 * A way to prove a second factor. Made by an {@link MfaProviderFactory} (or by an embedder
 * directly) and driven by {@link MfaRunner}. Implementations are thread-safe for one challenge at a
 * time per user.
 */
public interface MfaProvider extends AutoCloseable {

  /** The method's name, lower-case: {@code totp}, {@code push}, or an embedder's own. */
  String name();

  /**
   * Starts a challenge for {@code user}. Problems a retry may fix (a service that is down) come
   * back as a {@link MfaChallenge#finished finished} challenge with a FAILED outcome; only problems
   * no retry can fix are thrown.
   *
   * @throws AgentException MFA_CONFIG_INVALID or MFA_FAILED for configuration the user or the
   *     administrator has to change, MFA_STATE_IO for an unusable state directory
   */
  MfaChallenge start(String user) throws AgentException;

  /** Wipes secrets the provider holds. Never throws. */
  @Override
  default void close() {}
}
