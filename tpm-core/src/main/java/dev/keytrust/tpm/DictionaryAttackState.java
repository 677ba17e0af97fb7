package dev.keytrust.tpm;

import java.time.Duration;

/**
 * The TPM's dictionary-attack (anti-hammering) state, from TPM_PT_LOCKOUT_COUNTER,
 * TPM_PT_MAX_AUTH_FAIL, TPM_PT_LOCKOUT_INTERVAL, TPM_PT_LOCKOUT_RECOVERY and
 * TPMA_PERMANENT.inLockout.
 *
 * @param lockoutCounter authorization failures currently counted
 * @param maxAuthFail failures that put the TPM in lockout (zero: the TPM is always in lockout)
 * @param lockoutInterval time after which one counted failure is forgotten; zero means the TPM's
 *     dictionary-attack protection is off: wrong authorizations are not counted at all
 * @param lockoutRecovery time after a failed lockoutAuth before the lockout hierarchy is usable
 * @param inLockout true when DA-protected objects are refused until the counter drops
 */
public record DictionaryAttackState(
    int lockoutCounter, int maxAuthFail, Duration lockoutInterval, Duration lockoutRecovery, boolean inLockout) {

  /** Failures left before lockout (0 when locked out). */
  public int triesLeft() {
    return Math.max(0, maxAuthFail - lockoutCounter);
  }
}
