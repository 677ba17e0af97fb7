package dev.keytrust.agent.mfa;

/**
 * Progress of an {@link MfaRunner#run}, for the user interface (the CLI prints it; a GUI shows it).
 * Called on the running thread; every method defaults to doing nothing.
 */
public interface MfaListener {

  /** A listener that ignores everything. */
  MfaListener NONE = new MfaListener() {};

  /** No challenge runs: {@code completion} is fresh enough. */
  default void reused(String user, MfaCompletion completion) {}

  /** An attempt has started; {@code instructions} tell the user what to do. */
  default void attemptStarted(MfaAttempt attempt, String instructions) {}

  /** An attempt has ended with {@code outcome}. */
  default void attemptEnded(MfaAttempt attempt, MfaOutcome outcome) {}
}
