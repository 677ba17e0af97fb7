package dev.keytrust.agent.flow;

/** What happened to a step; every step emits {@link #STARTED} and then exactly one of the others. */
public enum StepOutcome {
  /** The step began. */
  STARTED,
  /** The step did its work. */
  SUCCEEDED,
  /** The step had nothing to do (an MFA within the last ten minutes; no PIN needed for a reused key). */
  SKIPPED,
  /** The step's result came from the journal of an interrupted run (the key, the credential, the receipt). */
  REUSED,
  /** The step failed; the event carries the error code. */
  FAILED;

  /** True for the outcomes that end a step. */
  public boolean isFinal() {
    return this != STARTED;
  }
}
