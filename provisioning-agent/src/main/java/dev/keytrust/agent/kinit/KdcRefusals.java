package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.time.Duration;
import java.time.Instant;

/**
 * What a KRB-ERROR means for a key trust sign-in, as one message that says what to do. A P-256 key
 * refused for its signature or key is explained as such: Samba's KDC (4.24) checks key trust for
 * RSA keys only.
 */
final class KdcRefusals {
  private final KinitAccount account;
  private final KdcAddress kdc;
  private final String keyDescription;
  private final boolean rsa;
  private final Duration maxSkew;

  /**
   * @param keyDescription e.g. {@code key 3F2A... (rsa2048)}, public data only
   * @param rsa whether the key is RSA
   */
  KdcRefusals(KinitAccount account, KdcAddress kdc, String keyDescription, boolean rsa, Duration maxSkew) {
    this.account = account;
    this.kdc = kdc;
    this.keyDescription = keyDescription;
    this.rsa = rsa;
    this.maxSkew = maxSkew;
  }

  /**
   * The error for {@code error}, received at {@code localTime}. Whatever the code, a KDC whose
   * time (every KRB-ERROR carries it) is further from ours than the skew allowed, or than the
   * certificate's backdating, is reported as clock skew: Samba's KDC, for one, answers a
   * certificate not yet valid by its clock with KRB_AP_ERR_BAD_INTEGRITY.
   */
  AgentException of(KdcError error, Instant localTime) {
    Duration tolerance = maxSkew.compareTo(ClientCertificate.BACKDATE) < 0 ? maxSkew
        : ClientCertificate.BACKDATE;
    if (error.code() == KdcError.SKEW || ClockSkew.tooLarge(localTime, error.kdcTime(), tolerance)) {
      return ClockSkew.error(localTime, error.kdcTime(), tolerance, kdc);
    }
    String who = account.describe();
    String by = "The KDC at " + kdc + " refused the sign-in of " + who + " (" + error.describe() + ")";
    switch (error.code()) {
      case KdcError.C_PRINCIPAL_UNKNOWN:
        return new AgentException(AgentErrorCode.KINIT_PRINCIPAL_UNKNOWN, "The KDC at " + kdc
            + " has no account " + who + " (" + error.describe() + "). Check the user name (the"
            + " account's userPrincipalName) and the realm.");
      case KdcError.CLIENT_REVOKED:
        return new AgentException(AgentErrorCode.KINIT_KDC_ERROR, by + ": the account is disabled,"
            + " locked out or expired. Ask the domain's administrators.");
      case KdcError.CLIENT_NAME_MISMATCH:
        return new AgentException(AgentErrorCode.KINIT_NAME_MISMATCH, by + ": the certificate names"
            + " the UPN " + account.upn() + ", which is not the account's userPrincipalName. Sign"
            + " in with the account's UPN as the user name.");
      case KdcError.PADATA_TYPE_NOSUPP:
        return notOffered();
      case KdcError.CLIENT_NOT_TRUSTED:
        if (!rsa) {
          return p256(error);
        }
        return new AgentException(AgentErrorCode.KINIT_KEY_NOT_TRUSTED, by + ": the KDC does not"
            + " trust " + keyDescription + " for this account: it is not in the account's"
            + " msDS-KeyCredentialLink, not synced yet or removed. Wait for directory sync"
            + " (keytrust sync-watch) or check the registration (keytrust status).");
      case KdcError.BAD_INTEGRITY:
      case KdcError.INVALID_SIG:
      case KdcError.DH_KEY_PARAMETERS_NOT_ACCEPTED:
      case KdcError.CANT_VERIFY_CERTIFICATE:
      case KdcError.INVALID_CERTIFICATE:
      case KdcError.INCONSISTENT_KEY_PURPOSE:
      case KdcError.PREAUTH_FAILED:
      case KdcError.PREAUTH_REQUIRED:
        if (!rsa) {
          return p256(error);
        }
        return new AgentException(AgentErrorCode.KINIT_KDC_ERROR, by + ": it did not accept the"
            + " PKINIT request.");
      default:
        return new AgentException(AgentErrorCode.KINIT_KDC_ERROR, by + ".");
    }
  }

  /** KINIT_PKINIT_NOT_OFFERED. */
  AgentException notOffered() {
    return new AgentException(AgentErrorCode.KINIT_PKINIT_NOT_OFFERED, "The KDC at " + kdc
        + " does not offer PKINIT for realm " + account.realm() + ": a key trust sign-in needs a"
        + " domain controller with a KDC certificate (EKU KDC Authentication) issued by the"
        + " enterprise CA.");
  }

  private AgentException p256(KdcError error) {
    return new AgentException(AgentErrorCode.KINIT_KEY_ALGORITHM_UNSUPPORTED, "The KDC at " + kdc
        + " refused " + keyDescription + " (" + error.describe() + "): it is an EC P-256 key, and"
        + " this KDC checks key trust for RSA keys only (Samba's KDC, 4.24, has no ECDSA). Sign in"
        + " with an RSA-2048 key: reset the user and provision again with rsa2048.");
  }
}
