package dev.keytrust.agent.prereq;

/** What started the prerequisite check; DisablePostLogonProvisioning only stops {@link #SIGN_IN}. */
public enum ProvisioningTrigger {
  /** The automatic start right after the user signed in. */
  SIGN_IN,
  /** The user or a management tool asked for provisioning (e.g. {@code keytrust provision}). */
  EXPLICIT
}
