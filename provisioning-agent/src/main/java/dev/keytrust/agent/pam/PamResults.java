package dev.keytrust.agent.pam;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.Durations;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.error.WrongPinException;

/**
 * Which PAM result a keytrust error is. The rule: the user's credential was judged and refused
 * (a wrong PIN; a PIN the policy has expired; the KDC refused the key, the name or the account) is
 * {@link PamResult#AUTH_ERR}; a
 * locked key is {@link PamResult#MAXTRIES}; keytrust could not judge (no key, no mapping, the TPM,
 * key store or KDC unreachable or untrustworthy) is {@link PamResult#AUTHINFO_UNAVAIL}, so the next
 * module decides; keytrust set up wrong is {@link PamResult#SERVICE_ERR}.
 */
final class PamResults {
  private PamResults() {}

  static PamOutcome of(KeytrustException e) {
    ErrorCode code = e.code();
    String message = e.getMessage();
    if (e instanceof WrongPinException w) {
      String left = w.triesLeft().isPresent() ? " (" + w.triesLeft().getAsInt()
          + (w.triesLeft().getAsInt() == 1 ? " try" : " tries") + " left before the key locks)" : "";
      return PamOutcome.failure(PamResult.AUTH_ERR, "wrong PIN" + left, code);
    }
    if (e instanceof LockedOutException l) {
      String retry = l.retryAfter().isZero() || l.retryAfter().isNegative() ? ""
          : "; retry in " + Durations.human(l.retryAfter());
      return PamOutcome.failure(PamResult.MAXTRIES, "the key is locked after too many wrong PINs"
          + retry + ", or sign in another way", code);
    }
    return PamOutcome.failure(result(code), message, code);
  }

  static PamResult result(ErrorCode code) {
    if (code instanceof AgentErrorCode a) {
      return switch (a) {
        case KINIT_KEY_NOT_TRUSTED, KINIT_NAME_MISMATCH, KINIT_PRINCIPAL_UNKNOWN, KINIT_KDC_ERROR,
            PAM_PIN_INPUT, PIN_EXPIRED -> PamResult.AUTH_ERR;
        case KINIT_KDC_UNREACHABLE, KINIT_CLOCK_SKEW, KINIT_KDC_CERT_UNTRUSTED, KINIT_KDC_CERT_NOT_KDC,
            KINIT_KDC_CERT_WRONG_NAME, KINIT_KDC_REPLY_INVALID, KINIT_KEY_ALGORITHM_UNSUPPORTED,
            KINIT_PKINIT_NOT_OFFERED, KINIT_INTERRUPTED, PAM_USER_NOT_MAPPED, PAM_KEY_STORE_UNSAFE, PAM_NO_KEY ->
            PamResult.AUTHINFO_UNAVAIL;
        case PAM_USER_UNKNOWN -> PamResult.USER_UNKNOWN;
        case PAM_CALLER_NOT_ALLOWED -> PamResult.PERM_DENIED;
        case PAM_NOT_FROM_PAM, PAM_CONFIG_INVALID, PAM_CONFIG_UNSAFE -> PamResult.SERVICE_ERR;
        case KINIT_CCACHE_WRITE -> PamResult.SYSTEM_ERR;
        default -> a.badInput() ? PamResult.SERVICE_ERR : PamResult.SYSTEM_ERR;
      };
    }
    if (code instanceof CoreErrorCode c) {
      return switch (c) {
        case WRONG_PIN, PIN_INVALID -> PamResult.AUTH_ERR;
        case LOCKED_OUT -> PamResult.MAXTRIES;
        case KEY_NOT_FOUND, KEY_PROVIDER_MISMATCH, COUNTER_TAMPERED, TPM_UNREACHABLE, TPM_TRANSPORT,
            TPM_BUSY, TPM_COMMAND_FAILED, TPM_UNSUPPORTED_ALGORITHM, TPM_OBJECT_MEMORY,
            TPM_PLATFORM_UNSUPPORTED, TPM_SRK_MISMATCH, TPM_KEY_NOT_LOADABLE, TPM_DA_DISABLED,
            TPM_HIERARCHY_AUTH, TPM_RESPONSE_NOT_AUTHENTIC, STORE_CORRUPT, STORE_IO,
            STORE_VERSION_UNSUPPORTED, STORE_PERMISSIONS, STORE_BUSY, UNKNOWN_TPM_URI ->
            PamResult.AUTHINFO_UNAVAIL;
        default -> c.badInput() ? PamResult.SERVICE_ERR : PamResult.SYSTEM_ERR;
      };
    }
    return code.badInput() ? PamResult.SERVICE_ERR : PamResult.SYSTEM_ERR;
  }
}
