package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.StateFiles;
import dev.keytrust.error.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs MFA for a user the way provisioning needs it (spec §5 step 3): reuse a fresh MFA if there is
 * one; otherwise start a challenge and wait until it succeeds, is denied, fails or times out; after a
 * failure ask the {@link MfaRetryPrompt} whether to try again, at most {@code maxAttempts} times in
 * all; remember a success in {@link MfaFreshness}.
 *
 * <pre>{@code
 * MfaResult r = MfaRunner.builder(provider)
 *     .maxAttempts(3)
 *     .attemptTimeout(Duration.ofMinutes(2))
 *     .retryPrompt((attempt, outcome) -> askYesNo("Try again?"))
 *     .listener(progress)
 *     .freshness(MfaFreshness.inDirectory(stateDir))
 *     .build()
 *     .run(user);
 * }</pre>
 *
 * <p>Problems with the freshness file never block MFA: they are logged (WARN) and the user is asked.
 *
 * <p>{@link #close()} closes the provider, which wipes what it holds (a TOTP secret, a bearer
 * token); the runner is not used after that.
 */
public final class MfaRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MfaRunner.class);

  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final int MAX_ATTEMPTS = 10;
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofMinutes(2);
  public static final Duration MAX_ATTEMPT_TIMEOUT = Duration.ofHours(1);

  private final MfaProvider provider;
  private final int maxAttempts;
  private final Duration attemptTimeout;
  private final MfaRetryPrompt retryPrompt;
  private final MfaListener listener;
  private final MfaFreshness freshness;

  private MfaRunner(Builder b) {
    this.provider = b.provider;
    this.maxAttempts = b.maxAttempts;
    this.attemptTimeout = b.attemptTimeout;
    this.retryPrompt = b.retryPrompt;
    this.listener = b.listener;
    this.freshness = b.freshness;
  }

  /** Closes the provider: its secret (TOTP) or token (push) is wiped. Never throws. */
  @Override
  public void close() {
    try {
      provider.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the MFA provider failed: {}", e.getClass().getSimpleName());
    }
  }

  /** A builder for a runner of {@code provider}: 3 attempts of 2 minutes, retry without asking, no freshness. */
  public static Builder builder(MfaProvider provider) {
    return new Builder(provider);
  }

  /** Runs MFA for {@code user}; see {@link #run(String, MfaCompletion)}. */
  public MfaResult run(String user) throws AgentException {
    return run(user, null);
  }

  /**
   * Runs MFA for {@code user}, reusing {@code claimed} (an MFA the embedder knows of, e.g. from its
   * token's claims; may be null) or the remembered MFA when fresh.
   *
   * @throws AgentException MFA_DENIED, MFA_TIMED_OUT or MFA_FAILED after the last attempt (or when
   *     the retry prompt declined), with the reason and what to do; MFA_CANCELLED when the thread was
   *     interrupted (its interrupt flag stays set); what {@link MfaProvider#start} throws
   */
  public MfaResult run(String user, MfaCompletion claimed) throws AgentException {
    StateFiles.checkUser(user);
    if (claimed != null && freshness.isFresh(claimed)) {
      LOG.debug("MFA for user {}: reusing the MFA claimed by the caller ({} at {})", user, claimed.method(),
          claimed.completedAt());
      listener.reused(user, claimed);
      return new MfaResult(user, claimed, true, 0);
    }
    Optional<MfaCompletion> remembered = Optional.empty();
    try {
      remembered = freshness.find(user);
    } catch (AgentException e) {
      LOG.warn("Ignoring the remembered MFA of user {}: {}", user, e.getMessage());
    }
    if (remembered.isPresent()) {
      LOG.debug("MFA for user {}: reusing {} at {}", user, remembered.get().method(), remembered.get().completedAt());
      listener.reused(user, remembered.get());
      return new MfaResult(user, remembered.get(), true, 0);
    }

    MfaOutcome last = null;
    MfaAttempt attempt = null;
    boolean declined = false;
    for (int n = 1; n <= maxAttempts; n++) {
      attempt = new MfaAttempt(user, provider.name(), n, maxAttempts);
      last = attempt(attempt);
      if (last.isSuccess()) {
        MfaCompletion done = new MfaCompletion(provider.name(), freshness.clock().instant());
        try {
          freshness.remember(user, done);
        } catch (AgentException e) {
          LOG.warn("MFA succeeded but cannot be remembered for reuse: {}", e.getMessage());
        }
        return new MfaResult(user, done, false, n);
      }
      if (n < maxAttempts && !retryPrompt.retry(attempt, last)) {
        declined = true;
        break;
      }
    }
    throw failure(attempt, last, declined);
  }

  private MfaOutcome attempt(MfaAttempt attempt) throws AgentException {
    try (MfaChallenge challenge = provider.start(attempt.user())) {
      LOG.debug("MFA attempt {} of {} with {} for user {}", attempt.number(), attempt.maxAttempts(),
          attempt.method(), attempt.user());
      listener.attemptStarted(attempt, challenge.instructions());
      MfaOutcome outcome;
      try {
        outcome = Objects.requireNonNull(challenge.await(attemptTimeout), "the challenge returned no outcome");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AgentException(AgentErrorCode.MFA_CANCELLED, "MFA with " + attempt.method() + " for user '"
            + attempt.user() + "' was cancelled (the agent was interrupted): run provisioning again.", e);
      }
      LOG.debug("MFA attempt {} with {} for user {}: {} {}", attempt.number(), attempt.method(), attempt.user(),
          outcome.status(), outcome.reason());
      listener.attemptEnded(attempt, outcome);
      return outcome;
    }
  }

  private AgentException failure(MfaAttempt attempt, MfaOutcome outcome, boolean declined) {
    String who = "MFA with " + attempt.method() + " for user '" + attempt.user() + "'";
    String tries = attempt.number() == 1 ? "1 attempt" : attempt.number() + " attempts";
    String ending = declined ? " (" + tries + "; you chose not to try again)" : " (" + tries + ")";
    String reason = outcome.reason().isEmpty() ? "" : ": " + outcome.reason();
    return switch (outcome.status()) {
      case DENIED -> new AgentException(AgentErrorCode.MFA_DENIED, who + " was denied" + reason + ending
          + ". Run provisioning again and approve the request or enter a current code; if you did not"
          + " start this, tell your administrator.");
      case TIMED_OUT -> new AgentException(AgentErrorCode.MFA_TIMED_OUT, who + " got no answer within "
          + Durations.human(attemptTimeout) + reason + ending + ". Run provisioning again and answer within "
          + Durations.human(attemptTimeout) + ", or ask your administrator for a longer MFA timeout.");
      case FAILED -> new AgentException(AgentErrorCode.MFA_FAILED, who + " could not be completed" + reason + ending
          + ". Check the MFA settings and that the MFA service is reachable, then run provisioning again.");
      case SUCCEEDED -> throw new IllegalStateException("a success is not a failure");
    };
  }

  @Override
  public String toString() {
    return "MfaRunner[" + provider.name() + ", " + maxAttempts + " x " + attemptTimeout + ", " + freshness + "]";
  }

  /** Configures a {@link MfaRunner}. */
  public static final class Builder {
    private final MfaProvider provider;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
    private MfaRetryPrompt retryPrompt = MfaRetryPrompt.ALWAYS;
    private MfaListener listener = MfaListener.NONE;
    private MfaFreshness freshness = MfaFreshness.none();

    private Builder(MfaProvider provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
    }

    /** Attempts in all, 1..{@value #MAX_ATTEMPTS} (default 3). */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > MAX_ATTEMPTS) {
        throw new IllegalArgumentException("MFA attempts must be 1.." + MAX_ATTEMPTS + ", got " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** How long one attempt may wait, more than 0 and at most 1 hour (default 2 minutes). */
    public Builder attemptTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_ATTEMPT_TIMEOUT) > 0) {
        throw new IllegalArgumentException("the MFA attempt timeout must be > 0 and <= 1 h, got " + timeout);
      }
      this.attemptTimeout = timeout;
      return this;
    }

    /** Asked after each failed attempt while attempts are left (default: retry without asking). */
    public Builder retryPrompt(MfaRetryPrompt prompt) {
      this.retryPrompt = Objects.requireNonNull(prompt, "prompt");
      return this;
    }

    public Builder listener(MfaListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Where successes are remembered and looked up; its clock stamps completions (default: none). */
    public Builder freshness(MfaFreshness freshness) {
      this.freshness = Objects.requireNonNull(freshness, "freshness");
      return this;
    }

    public MfaRunner build() {
      return new MfaRunner(this);
    }
  }
}
