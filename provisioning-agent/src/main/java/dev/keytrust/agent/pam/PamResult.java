package dev.keytrust.agent.pam;

/**
 * The PAM result of a {@code keytrust pam-auth} run; {@link #exitCode()} is Linux-PAM's number for
 * it ({@code security/_pam_types.h}), and the process exits with it.
 *
 * <p>pam_exec itself (Linux-PAM 1.5 and later) gives the PAM stack {@code PAM_SUCCESS} for exit 0
 * and {@code PAM_SYSTEM_ERR} for every other exit code, so under pam_exec the stack sees success or
 * failure; the number tells a caller that reads it (a wrapper, a test, a log) which failure it was.
 */
public enum PamResult {
  /** The TGT is in the user's credential cache. */
  SUCCESS(0, "signed in"),
  /** keytrust is not set up right for this run (configuration, not started by PAM). */
  SERVICE_ERR(3, "service error"),
  /** Something failed that is not the user's doing (the cache could not be written, a bug). */
  SYSTEM_ERR(4, "system error"),
  /** The caller may not ask for this user's ticket. */
  PERM_DENIED(6, "permission denied"),
  /**
   * The PIN was wrong or has expired under the policy (refused before it is used: change it with
   * {@code keytrust pin change}), or the KDC refused the key or the account.
   */
  AUTH_ERR(7, "auth error"),
  /**
   * keytrust cannot decide: no key for this user, no mapping, the KDC or TPM unreachable, a reply
   * that could not be trusted. The next module in the stack should decide.
   */
  AUTHINFO_UNAVAIL(9, "unavailable"),
  /** PAM_USER is not a Linux user. */
  USER_UNKNOWN(10, "user unknown"),
  /** The key is locked after too many wrong PINs (the line says when to retry). */
  MAXTRIES(11, "locked");

  private final int exitCode;
  private final String word;

  PamResult(int exitCode, String word) {
    this.exitCode = exitCode;
    this.word = word;
  }

  /** Linux-PAM's number for this result: the process's exit code. */
  public int exitCode() {
    return exitCode;
  }

  /** The word the reason line starts with ({@code keytrust: <word>: ...}). */
  public String word() {
    return word;
  }
}
