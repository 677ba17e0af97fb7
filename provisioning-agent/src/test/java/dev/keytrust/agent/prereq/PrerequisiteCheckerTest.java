package dev.keytrust.agent.prereq;

import static dev.keytrust.agent.prereq.Answer.NO;
import static dev.keytrust.agent.prereq.Answer.NOT_TESTED;
import static dev.keytrust.agent.prereq.Answer.YES;
import static dev.keytrust.agent.prereq.Contexts.DEVICE;
import static dev.keytrust.agent.prereq.Contexts.computerGpo;
import static dev.keytrust.agent.prereq.Contexts.good;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.MachinePolicySource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrerequisiteCheckerTest {

  @TempDir Path dir;

  private final PrerequisiteChecker checker = new PrerequisiteChecker();

  private PrerequisiteReport check(DeviceContext.Builder context, EffectivePolicy policy) {
    return checker.check(context.build(), policy, ProvisioningTrigger.SIGN_IN);
  }

  private PrerequisiteReport check(DeviceContext.Builder context, String... policyLines)
      throws Exception {
    return check(context, computerGpo(dir, policyLines));
  }

  private static UserIdentity user(String onPrem, String cloud, String synced) {
    UserIdentity a = Contexts.alice();
    return new UserIdentity(Optional.ofNullable(onPrem), Optional.ofNullable(cloud),
        Optional.ofNullable(synced), a.groups(), a.claims());
  }

  private static void assertLine(PrerequisiteReport r, PrerequisiteId id, Answer answer,
      boolean blocking, String... reasonParts) {
    CheckResult c = r.check(id);
    assertThat(c.answer()).as(id + " answer, reason: " + c.reason()).isEqualTo(answer);
    assertThat(c.blocking()).as(id + " blocking").isEqualTo(blocking);
    if (reasonParts.length > 0) {
      assertThat(c.reason()).contains(reasonParts);
    }
    assertThat(r.willProvision()).as("verdict").isEqualTo(r.blockers().isEmpty());
    if (blocking) {
      assertThat(r.result()).isEqualTo(PreReqResult.WILL_NOT_PROVISION);
    }
  }

  @Test
  void aHybridJoinedDeviceWithDefaultPolicyWillProvision() throws Exception {
    PrerequisiteReport r = check(good(), EffectivePolicy.defaults());

    assertThat(r.checks()).extracting(CheckResult::id).containsExactly(PrerequisiteId.values());
    assertThat(r.checks()).extracting(CheckResult::answer).containsExactly(
        YES, YES, YES, YES, YES, YES, NO, NO, NOT_TESTED, YES);
    assertThat(r.blockers()).isEmpty();
    assertThat(r.result()).isEqualTo(PreReqResult.WILL_PROVISION);
    assertThat(r.result().eventId()).isEqualTo(358);
    assertThat(r.machinePolicySource()).isEqualTo(MachinePolicySource.NONE);
    assertThatCode(r::requireWillProvision).doesNotThrowAnyException();
  }

  @Test
  void deviceJoined() throws Exception {
    assertLine(check(good().joinState(JoinState.ENTRA_JOINED), EffectivePolicy.defaults()),
        PrerequisiteId.DEVICE_JOINED, YES, false, "Entra joined", DEVICE);
    assertLine(check(good(), EffectivePolicy.defaults()),
        PrerequisiteId.DEVICE_JOINED, YES, false, "hybrid joined (DJ++)");
    assertLine(check(good().joinState(JoinState.DOMAIN_JOINED), EffectivePolicy.defaults()),
        PrerequisiteId.DEVICE_JOINED, NO, true, "domain joined only", "finish hybrid join");
    assertLine(check(good().joinState(JoinState.NOT_JOINED), EffectivePolicy.defaults()),
        PrerequisiteId.DEVICE_JOINED, NO, true, "neither Entra joined nor hybrid joined");
  }

  @Test
  void userLoggedOnWithCloudCredentials() throws Exception {
    EffectivePolicy p = EffectivePolicy.defaults();
    PrerequisiteId id = PrerequisiteId.CLOUD_CREDENTIALS;
    UserIdentity a = Contexts.alice();

    assertLine(check(good(), p), id, YES, false, "alice@contoso.com holds a cloud token", DEVICE);
    assertLine(check(good().joinState(JoinState.DOMAIN_JOINED), p), id, NOT_TESTED, false,
        "not tested: the device is not Entra or hybrid joined");
    assertLine(check(good().user(user("alice@contoso.com", null, null)), p), id, NO, true,
        "no cloud identity");
    assertLine(check(good().user(new UserIdentity(a.onPremUpn(), a.cloudUpn(),
        a.onPremisesUserPrincipalName(), a.groups(), TokenClaims.NONE)), p), id, NO, true,
        "has no cloud token (no primary refresh token)");
    assertLine(check(good().user(new UserIdentity(a.onPremUpn(), a.cloudUpn(),
        a.onPremisesUserPrincipalName(), a.groups(),
        new TokenClaims(Map.of("amr", List.of("pwd"))))), p), id, NO, true, "no deviceid claim");
    assertLine(check(good().deviceId("0e0e0e0e-1111-2222-3333-444444444444"), p), id, NO, true,
        "issued to device " + DEVICE, "not to this device 0e0e0e0e-1111-2222-3333-444444444444");
    assertLine(check(good().deviceId(null), p), id, NO, true, "the device id is unknown");
    assertLine(check(good().tenantId("11111111-2222-3333-4444-555555555555"), p), id, NO, true,
        "comes from tenant " + Contexts.TENANT);
    assertLine(check(good().deviceId(DEVICE.toUpperCase()), p), id, YES, false, "holds a cloud token");
  }

  @Test
  void policyEnabledAndTheLinesThatDependOnIt() throws Exception {
    assertLine(check(good(), EffectivePolicy.defaults()), PrerequisiteId.POLICY_ENABLED, YES,
        false, "UsePassportForWork = true (default)");

    PrerequisiteReport off = check(good(), "UsePassportForWork = 0");

    assertLine(off, PrerequisiteId.POLICY_ENABLED, NO, true, "UsePassportForWork = false",
        "computer/gpo.properties:1", "disabled");
    for (PrerequisiteId id : List.of(PrerequisiteId.POST_LOGON_ENABLED, PrerequisiteId.HARDWARE,
        PrerequisiteId.CERTIFICATE_TRUST, PrerequisiteId.CLOUD_TRUST)) {
      assertLine(off, id, NOT_TESTED, false, "policy is disabled");
    }
    assertThat(off.blockers()).extracting(CheckResult::id).containsExactly(PrerequisiteId.POLICY_ENABLED);
    assertThat(off.machinePolicySource()).isEqualTo(MachinePolicySource.GROUP_POLICY);
  }

  @Test
  void postLogonProvisioning() throws Exception {
    PrerequisiteId id = PrerequisiteId.POST_LOGON_ENABLED;
    assertLine(check(good(), EffectivePolicy.defaults()), id, YES, false,
        "DisablePostLogonProvisioning = false (default)");

    EffectivePolicy disabled = computerGpo(dir, "DisablePostLogonProvisioning = 1");
    assertLine(check(good(), disabled), id, NO, true, "DisablePostLogonProvisioning = true",
        "does not start after sign-in");

    PrerequisiteReport explicit = checker.check(good().build(), disabled, ProvisioningTrigger.EXPLICIT);
    assertLine(explicit, id, NOT_TESTED, false, "provisioning was requested");
    assertThat(explicit.willProvision()).isTrue();
    assertThat(explicit.trigger()).isEqualTo(ProvisioningTrigger.EXPLICIT);
  }

  @Test
  void hardwareRequirementWhenASecurityDeviceIsRequired() throws Exception {
    PrerequisiteId id = PrerequisiteId.HARDWARE;
    EffectivePolicy require = computerGpo(dir, "RequireSecurityDevice = 1");

    assertLine(check(good(), require), id, YES, false, "TPM 2.0, usable", "RequireSecurityDevice = true");
    assertLine(check(good().tpm(TpmState.absent()), require), id, NO, true,
        "needs a usable TPM", "no TPM");
    assertLine(check(good().tpm(TpmState.unknown()), require), id, NO, true, "TPM state is unknown");
    assertLine(check(good().tpm(TpmState.present(TpmVersion.TPM_2_0, true, true)), require), id, NO,
        true, "dictionary-attack lockout");
    assertLine(check(good().tpm(TpmState.present(TpmVersion.TPM_2_0, false, false)), require), id,
        NO, true, "not usable", "set the TPM up");
    assertLine(check(good().tpm(TpmState.present(TpmVersion.TPM_1_2, true, false)), require), id,
        YES, false, "TPM 1.2, usable");

    EffectivePolicy no12 = computerGpo(dir, "RequireSecurityDevice = 1", "ExcludeSecurityDevices/TPM12 = 1");
    assertLine(check(good().tpm(TpmState.present(TpmVersion.TPM_1_2, true, false)), no12), id, NO,
        true, "the TPM is a 1.2", "ExcludeSecurityDevices/TPM12 = true");
    assertLine(check(good(), no12), id, YES, false, "TPM 2.0");
  }

  @Test
  void hardwareRequirementWithSoftwareFallback() throws Exception {
    PrerequisiteId id = PrerequisiteId.HARDWARE;
    EffectivePolicy p = EffectivePolicy.defaults();

    assertLine(check(good(), p), id, YES, false, "TPM 2.0, usable", "a TPM is preferred");
    assertLine(check(good().tpm(TpmState.absent()), p), id, YES, false, "no TPM",
        "falls back to software", "RequireSecurityDevice = false (default) allows");
    EffectivePolicy no12 = computerGpo(dir, "ExcludeSecurityDevices/TPM12 = 1");
    assertLine(check(good().tpm(TpmState.present(TpmVersion.TPM_1_2, true, false)), no12), id, YES,
        false, "the TPM is a 1.2", "falls back to software");
  }

  @Test
  void notRemote() throws Exception {
    assertLine(check(good(), EffectivePolicy.defaults()), PrerequisiteId.NOT_REMOTE, YES, false,
        "local session (test)");
    assertLine(check(good().session(SessionInfo.remote("SSH_CONNECTION is set (SSH session)")),
        EffectivePolicy.defaults()), PrerequisiteId.NOT_REMOTE, NO, true,
        "the session is remote (SSH_CONNECTION is set", "local sign-in");
  }

  @Test
  void certificateTrustPolicyShowsItsStateAndBlocksWhenOn() throws Exception {
    PrerequisiteId id = PrerequisiteId.CERTIFICATE_TRUST;
    assertLine(check(good(), EffectivePolicy.defaults()), id, NO, false,
        "UseCertificateForOnPremAuth = false (default)", "key trust");
    PrerequisiteReport on = check(good(), "UseCertificateForOnPremAuth = 1");
    assertLine(on, id, YES, true, "keytrust does not enroll", "turn the setting off");
    assertThat(on.blockers()).extracting(CheckResult::id).containsExactly(id);
  }

  @Test
  void cloudTrustPolicyIsInformation() throws Exception {
    PrerequisiteId id = PrerequisiteId.CLOUD_TRUST;
    assertLine(check(good(), EffectivePolicy.defaults()), id, NO, false,
        "UseCloudTrustForOnPremAuth = false (default)");
    PrerequisiteReport on = check(good(), "UseCloudTrustForOnPremAuth = true");
    assertLine(on, id, YES, false, "cloud Kerberos partial TGT");
    assertThat(on.willProvision()).isTrue();
    assertLine(check(good(), "UseCloudTrustForOnPremAuth = 1", "UseCertificateForOnPremAuth = 1"),
        id, YES, false, "certificate trust is also enabled and takes precedence");
  }

  @Test
  void securityGroupTargeting() throws Exception {
    PrerequisiteId id = PrerequisiteId.GROUP_TARGETING;
    assertLine(check(good(), EffectivePolicy.defaults()), id, NOT_TESTED, false,
        "no ProvisioningGroups policy, every user provisions");
    assertLine(check(good(), "ProvisioningGroups = Pilot, whfb users"), id, YES, false,
        "alice@contoso.com is a member of whfb users");
    assertLine(check(good(), "ProvisioningGroups = Pilot"), id, NO, true,
        "alice@contoso.com is not a member of Pilot", "computer/gpo.properties:1",
        "only their members provision");
    assertLine(check(good(), "ProvisioningGroups = Pilot, Finance"), id, NO, true,
        "not a member of any of Pilot, Finance");
  }

  @Test
  void upnMatching() throws Exception {
    assertLine(check(good(), EffectivePolicy.defaults()), PrerequisiteId.UPN, YES, false,
        "on-premises and cloud UPN are the same (alice@contoso.com)");
  }

  @Test
  void upnDifferingSyncedAndVerified() throws Exception {
    assertLine(check(good().user(user("alice@corp.contoso.com", "alice@contoso.com",
        "ALICE@corp.contoso.com")), EffectivePolicy.defaults()), PrerequisiteId.UPN, YES, false,
        "its suffix corp.contoso.com is verified and it is synchronized");
  }

  @Test
  void upnSuffixNotVerified() throws Exception {
    PrerequisiteReport r = check(good().user(user("alice@contoso.local", "alice@contoso.com",
        "alice@contoso.local")), EffectivePolicy.defaults());
    assertLine(r, PrerequisiteId.UPN, NO, true,
        "suffix contoso.local is not a verified domain", "verified: contoso.com, corp.contoso.com",
        "non-routable");
    assertLine(check(good().verifiedDomains(List.of()).user(user("alice@corp.contoso.com",
        "alice@contoso.com", "alice@corp.contoso.com")), EffectivePolicy.defaults()),
        PrerequisiteId.UPN, NO, true, "the device context lists no verified domains");
  }

  @Test
  void upnDifferingButNotSynchronized() throws Exception {
    assertLine(check(good().user(user("alice@corp.contoso.com", "alice@contoso.com", null)),
        EffectivePolicy.defaults()), PrerequisiteId.UPN, NO, true,
        "not synchronized to onPremisesUserPrincipalName");
    assertLine(check(good().user(user("alice@corp.contoso.com", "alice@contoso.com",
        "alice.old@corp.contoso.com")), EffectivePolicy.defaults()), PrerequisiteId.UPN, NO, true,
        "onPremisesUserPrincipalName is alice.old@corp.contoso.com");
  }

  @Test
  void upnNotTestedForCloudOnlyUsersOrWithoutACloudUpn() throws Exception {
    assertLine(check(good().user(user(null, "bob@contoso.com", null)), EffectivePolicy.defaults()),
        PrerequisiteId.UPN, NOT_TESTED, false, "cloud-only user");
    assertLine(check(good().user(user("bob@corp.contoso.com", null, null)),
        EffectivePolicy.defaults()), PrerequisiteId.UPN, NOT_TESTED, false, "cloud UPN is unknown");
  }

  @Test
  void anyBlockingLineStopsProvisioningWithKt1203NamingEveryBlocker() throws Exception {
    PrerequisiteReport r = check(good().joinState(JoinState.DOMAIN_JOINED)
        .session(SessionInfo.remote("SSH_TTY is set (SSH session)")), "ProvisioningGroups = Pilot");

    assertThat(r.result()).isEqualTo(PreReqResult.WILL_NOT_PROVISION);
    assertThat(r.result().eventId()).isEqualTo(360);
    assertThat(r.blockers()).extracting(CheckResult::id).containsExactly(
        PrerequisiteId.DEVICE_JOINED, PrerequisiteId.NOT_REMOTE, PrerequisiteId.GROUP_TARGETING);
    assertThatThrownBy(r::requireWillProvision).isInstanceOfSatisfying(
        PrerequisitesNotMetException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.PREREQUISITES_NOT_MET);
          assertThat(e.code().id()).isEqualTo("KT-1203");
          assertThat(e.report()).isSameAs(r);
          assertThat(e.getMessage()).contains("Device is AAD joined ( AADJ or DJ++ ): No",
              "User is not connected to the machine via Remote Desktop: No", "SSH_TTY",
              "User is a member of a provisioning group: No")
              .doesNotContain("Windows Hello for Business policy is enabled");
        });
  }

  @Test
  void aReportMustHoldEveryLineInOrder() {
    CheckResult one = new CheckResult(PrerequisiteId.DEVICE_JOINED, YES, false, "x");
    assertThatThrownBy(() -> new PrerequisiteReport(List.of(one), MachinePolicySource.NONE,
        ProvisioningTrigger.SIGN_IN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CheckResult(PrerequisiteId.UPN, NOT_TESTED, true, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
