package dev.keytrust.agent.prereq;

import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.EffectiveValue;
import dev.keytrust.agent.policy.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs the prerequisite checks of Windows events 358/360 plus keytrust's group-targeting and UPN
 * checks against a {@link DeviceContext} and an {@link EffectivePolicy}. Unlike Windows, every
 * check runs, so one report shows every problem; a check is Not Tested only when it does not apply
 * or depends on one that failed (the policy-dependent lines when Windows Hello for Business is
 * disabled, the cloud sign-in when the device is not joined). Stateless and thread-safe.
 */
public final class PrerequisiteChecker {

  /** Evaluates every line. */
  public PrerequisiteReport check(DeviceContext context, EffectivePolicy policy,
      ProvisioningTrigger trigger) {
    boolean policyOn = policy.usePassportForWork();
    List<CheckResult> checks = new ArrayList<>();
    checks.add(joined(context));
    checks.add(cloudCredentials(context));
    checks.add(policyEnabled(policy));
    checks.add(postLogon(policy, policyOn, trigger));
    checks.add(hardware(context, policy, policyOn));
    checks.add(notRemote(context));
    checks.add(certificateTrust(policy, policyOn));
    checks.add(cloudTrust(policy, policyOn));
    checks.add(groupTargeting(context, policy));
    checks.add(upn(context));
    return new PrerequisiteReport(checks, policy.machinePolicySource(), trigger);
  }

  private static CheckResult joined(DeviceContext c) {
    PrerequisiteId id = PrerequisiteId.DEVICE_JOINED;
    String where = c.deviceId().map(d -> ", device " + d).orElse(", device id unknown")
        + c.tenantId().map(t -> ", tenant " + t).orElse("");
    return switch (c.joinState()) {
      case ENTRA_JOINED -> CheckResult.requirement(id, Answer.YES, "Entra joined" + where);
      case HYBRID_JOINED -> CheckResult.requirement(id, Answer.YES, "hybrid joined (DJ++)" + where);
      case DOMAIN_JOINED -> CheckResult.requirement(id, Answer.NO, "domain joined only: the device"
          + " is not registered in the cloud directory (hybrid join, DJ++, has not completed);"
          + " finish hybrid join, then sign in again");
      case NOT_JOINED -> CheckResult.requirement(id, Answer.NO, "the device is neither Entra joined"
          + " nor hybrid joined; join it first");
    };
  }

  private static CheckResult cloudCredentials(DeviceContext c) {
    PrerequisiteId id = PrerequisiteId.CLOUD_CREDENTIALS;
    if (!c.joinState().cloudJoined()) {
      return CheckResult.requirement(id, Answer.NOT_TESTED,
          "not tested: the device is not Entra or hybrid joined");
    }
    UserIdentity u = c.user();
    if (u.cloudUpn().isEmpty()) {
      return CheckResult.requirement(id, Answer.NO, "the user has no cloud identity (no cloud UPN):"
          + " sign in with an account of the cloud directory");
    }
    String who = u.cloudUpn().get();
    TokenClaims claims = u.claims();
    if (claims.isEmpty()) {
      return CheckResult.requirement(id, Answer.NO, who + " has no cloud token (no primary refresh"
          + " token): sign in with cloud credentials; with a non-routable on-premises UPN suffix"
          + " no token is issued (see the UPN line)");
    }
    Optional<String> tokenDevice = claims.deviceId();
    if (tokenDevice.isEmpty()) {
      return CheckResult.requirement(id, Answer.NO, who + "'s token has no deviceid claim: it was"
          + " not issued through this device's registration; sign out and in again");
    }
    if (c.deviceId().isEmpty()) {
      return CheckResult.requirement(id, Answer.NO, "the device id is unknown, so the token's"
          + " deviceid " + tokenDevice.get() + " cannot be matched to this device");
    }
    if (!tokenDevice.get().equalsIgnoreCase(c.deviceId().get())) {
      return CheckResult.requirement(id, Answer.NO, who + "'s token was issued to device "
          + tokenDevice.get() + ", not to this device " + c.deviceId().get()
          + "; sign out and in again on this device");
    }
    if (claims.tenantId().isPresent() && c.tenantId().isPresent()
        && !claims.tenantId().get().equalsIgnoreCase(c.tenantId().get())) {
      return CheckResult.requirement(id, Answer.NO, who + "'s token comes from tenant "
          + claims.tenantId().get() + ", not from the device's tenant " + c.tenantId().get());
    }
    return CheckResult.requirement(id, Answer.YES, who + " holds a cloud token issued to this"
        + " device (deviceid " + tokenDevice.get() + ")");
  }

  private static CheckResult policyEnabled(EffectivePolicy p) {
    EffectiveValue<Boolean> v = p.effective(Setting.USE_PASSPORT_FOR_WORK);
    return v.value()
        ? CheckResult.requirement(PrerequisiteId.POLICY_ENABLED, Answer.YES, v.describe())
        : CheckResult.requirement(PrerequisiteId.POLICY_ENABLED, Answer.NO, v.describe()
            + ": Windows Hello for Business is disabled, no user provisions");
  }

  private static CheckResult postLogon(EffectivePolicy p, boolean policyOn, ProvisioningTrigger t) {
    PrerequisiteId id = PrerequisiteId.POST_LOGON_ENABLED;
    if (!policyOn) {
      return CheckResult.requirement(id, Answer.NOT_TESTED, notTestedPolicyOff());
    }
    EffectiveValue<Boolean> v = p.effective(Setting.DISABLE_POST_LOGON_PROVISIONING);
    if (!v.value()) {
      return CheckResult.requirement(id, Answer.YES, v.describe());
    }
    if (t == ProvisioningTrigger.EXPLICIT) {
      return CheckResult.requirement(id, Answer.NOT_TESTED, "not tested: provisioning was"
          + " requested, not started after sign-in; " + v.describe()
          + " only stops the automatic start");
    }
    return CheckResult.requirement(id, Answer.NO, v.describe() + ": provisioning does not start"
        + " after sign-in; it is left to an explicit request (keytrust provision)");
  }

  private static CheckResult hardware(DeviceContext c, EffectivePolicy p, boolean policyOn) {
    PrerequisiteId id = PrerequisiteId.HARDWARE;
    if (!policyOn) {
      return CheckResult.requirement(id, Answer.NOT_TESTED, notTestedPolicyOff());
    }
    EffectiveValue<Boolean> require = p.effective(Setting.REQUIRE_SECURITY_DEVICE);
    EffectiveValue<Boolean> exclude12 = p.effective(Setting.EXCLUDE_TPM12);
    Optional<String> problem = tpmProblem(c.tpm(), exclude12);
    if (require.value()) {
      return problem.isEmpty()
          ? CheckResult.requirement(id, Answer.YES, c.tpm().describe() + "; " + require.describe())
          : CheckResult.requirement(id, Answer.NO, require.describe() + " needs a usable TPM: "
              + problem.get());
    }
    if (c.tpm().presence() == TpmState.Presence.SOFTWARE_SELECTED) {
      return CheckResult.requirement(id, Answer.YES, "the software key provider was selected, which "
          + require.describe() + " allows");
    }
    return problem.isEmpty()
        ? CheckResult.requirement(id, Answer.YES, c.tpm().describe() + "; " + require.describe()
            + " (a TPM is preferred)")
        : CheckResult.requirement(id, Answer.YES, problem.get() + ", so the key falls back to"
            + " software, which " + require.describe() + " allows");
  }

  /** Why the TPM cannot hold the key, or empty when it can. */
  private static Optional<String> tpmProblem(TpmState tpm, EffectiveValue<Boolean> exclude12) {
    switch (tpm.presence()) {
      case UNKNOWN:
        return Optional.of("the TPM state is unknown (the device context does not say)");
      case ABSENT:
        return Optional.of("the device has no TPM");
      case SOFTWARE_SELECTED:
        return Optional.of("the software key provider was selected instead of a TPM");
      default:
        break;
    }
    if (tpm.lockedOut()) {
      return Optional.of(tpm.describe() + "; wait for the lockout to end or reset it");
    }
    if (!tpm.usable()) {
      return Optional.of(tpm.describe() + "; set the TPM up (take ownership, clear it) and retry");
    }
    if (tpm.version().orElseThrow() == TpmVersion.TPM_1_2 && exclude12.value()) {
      return Optional.of("the TPM is a 1.2, which " + exclude12.describe() + " excludes");
    }
    return Optional.empty();
  }

  private static CheckResult notRemote(DeviceContext c) {
    SessionInfo s = c.session();
    return s.remote()
        ? CheckResult.requirement(PrerequisiteId.NOT_REMOTE, Answer.NO, "the session is remote ("
            + s.evidence() + "): provision from a local sign-in at the device")
        : CheckResult.requirement(PrerequisiteId.NOT_REMOTE, Answer.YES, "local session ("
            + s.evidence() + ")");
  }

  private static CheckResult certificateTrust(EffectivePolicy p, boolean policyOn) {
    PrerequisiteId id = PrerequisiteId.CERTIFICATE_TRUST;
    if (!policyOn) {
      return CheckResult.requirement(id, Answer.NOT_TESTED, notTestedPolicyOff());
    }
    EffectiveValue<Boolean> v = p.effective(Setting.USE_CERTIFICATE_FOR_ON_PREM_AUTH);
    if (v.value()) {
      return new CheckResult(id, Answer.YES, true, v.describe() + ": certificate trust needs a"
          + " sign-in certificate, which keytrust does not enroll (it provisions key trust only);"
          + " turn the setting off to use key trust");
    }
    return new CheckResult(id, Answer.NO, false, v.describe() + ": key trust, no certificate");
  }

  private static CheckResult cloudTrust(EffectivePolicy p, boolean policyOn) {
    PrerequisiteId id = PrerequisiteId.CLOUD_TRUST;
    if (!policyOn) {
      return CheckResult.requirement(id, Answer.NOT_TESTED, notTestedPolicyOff());
    }
    EffectiveValue<Boolean> v = p.effective(Setting.USE_CLOUD_TRUST_FOR_ON_PREM_AUTH);
    if (!v.value()) {
      return new CheckResult(id, Answer.NO, false, v.describe());
    }
    String reason = p.value(Setting.USE_CERTIFICATE_FOR_ON_PREM_AUTH)
        ? v.describe() + ", but certificate trust is also enabled and takes precedence"
        : v.describe() + ": on-premises sign-in uses the cloud Kerberos partial TGT";
    return new CheckResult(id, Answer.YES, false, reason);
  }

  private static CheckResult groupTargeting(DeviceContext c, EffectivePolicy p) {
    PrerequisiteId id = PrerequisiteId.GROUP_TARGETING;
    EffectiveValue<java.util.List<String>> v = p.effective(Setting.PROVISIONING_GROUPS);
    if (v.value().isEmpty()) {
      return CheckResult.requirement(id, Answer.NOT_TESTED, "not tested: no ProvisioningGroups"
          + " policy, every user provisions (" + v.origin().describe() + ")");
    }
    for (String target : v.value()) {
      for (String member : c.user().groups()) {
        if (member.toLowerCase(Locale.ROOT).equals(target.toLowerCase(Locale.ROOT))) {
          return CheckResult.requirement(id, Answer.YES, c.user().displayName()
              + " is a member of " + target + " (" + v.describe() + ")");
        }
      }
    }
    return CheckResult.requirement(id, Answer.NO, c.user().displayName() + " is not a member of "
        + (v.value().size() == 1 ? v.value().get(0) : "any of " + String.join(", ", v.value()))
        + " (" + v.describe() + "); only their members provision");
  }

  /**
   * Key trust is not supported when the user's on-premises UPN suffix cannot be added as a verified
   * domain in the cloud directory; when on-premises and cloud UPNs differ, the on-premises UPN must
   * be synchronized to onPremisesUserPrincipalName.
   */
  private static CheckResult upn(DeviceContext c) {
    PrerequisiteId id = PrerequisiteId.UPN;
    UserIdentity u = c.user();
    if (u.onPremUpn().isEmpty()) {
      return CheckResult.requirement(id, Answer.NOT_TESTED,
          "not tested: the user has no on-premises UPN (cloud-only user)");
    }
    String onPrem = u.onPremUpn().get();
    if (u.cloudUpn().isEmpty()) {
      return CheckResult.requirement(id, Answer.NOT_TESTED, "not tested: the cloud UPN is unknown"
          + " (see the cloud credentials line)");
    }
    String cloud = u.cloudUpn().get();
    if (onPrem.equalsIgnoreCase(cloud)) {
      return CheckResult.requirement(id, Answer.YES, "on-premises and cloud UPN are the same ("
          + cloud + ")");
    }
    String suffix = UserIdentity.suffix(onPrem);
    if (!c.isVerifiedDomain(suffix)) {
      return CheckResult.requirement(id, Answer.NO, "on-premises UPN " + onPrem + " differs from"
          + " cloud UPN " + cloud + " and its suffix " + suffix + " is not a verified domain"
          + (c.verifiedDomains().isEmpty() ? " (the device context lists no verified domains)"
              : " (verified: " + String.join(", ", c.verifiedDomains()) + ")")
          + ": add and verify " + suffix + " in the tenant, or give the user a UPN in a verified"
          + " domain; a non-routable suffix such as .local cannot be verified");
    }
    Optional<String> synced = u.onPremisesUserPrincipalName();
    if (synced.isEmpty()) {
      return CheckResult.requirement(id, Answer.NO, "on-premises UPN " + onPrem + " differs from"
          + " cloud UPN " + cloud + " and is not synchronized to onPremisesUserPrincipalName:"
          + " synchronize it (directory sync) before provisioning");
    }
    if (!synced.get().equalsIgnoreCase(onPrem)) {
      return CheckResult.requirement(id, Answer.NO, "onPremisesUserPrincipalName is " + synced.get()
          + ", not the on-premises UPN " + onPrem + ": run directory sync so the cloud has the"
          + " current UPN");
    }
    return CheckResult.requirement(id, Answer.YES, "on-premises UPN " + onPrem + " differs from"
        + " cloud UPN " + cloud + "; its suffix " + suffix + " is verified and it is synchronized"
        + " to onPremisesUserPrincipalName");
  }

  private static String notTestedPolicyOff() {
    return "not tested: Windows Hello for Business policy is disabled";
  }
}
