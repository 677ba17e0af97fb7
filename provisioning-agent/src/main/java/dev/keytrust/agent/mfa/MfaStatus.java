package dev.keytrust.agent.mfa;

/** How an MFA challenge ended. */
public enum MfaStatus {
  /** The user proved the factor. */
  SUCCEEDED,
  /** The user or the service said no (a denied push, a wrong or replayed code). */
  DENIED,
  /** No answer before the deadline. */
  TIMED_OUT,
  /** The challenge could not complete (service unreachable, bad answer, no input). */
  FAILED
}
