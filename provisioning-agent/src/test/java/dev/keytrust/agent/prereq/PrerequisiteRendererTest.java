package dev.keytrust.agent.prereq;

import static dev.keytrust.agent.prereq.Contexts.computerGpo;
import static dev.keytrust.agent.prereq.Contexts.good;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.policy.EffectivePolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrerequisiteRendererTest {

  @TempDir Path dir;

  private static PrerequisiteReport report(DeviceContext.Builder c, EffectivePolicy p) {
    return new PrerequisiteChecker().check(c.build(), p, ProvisioningTrigger.SIGN_IN);
  }

  @Test
  void event358TextMatchesTheWindowsTemplate() {
    String text = PrerequisiteRenderer.eventText(report(good(), EffectivePolicy.defaults()));

    assertThat(text).isEqualTo("""
        Windows Hello for Business provisioning will be launched.
        Device is AAD joined ( AADJ or DJ++ ): Yes
        User has logged on with AAD credentials: Yes
        Windows Hello for Business policy is enabled: Yes
        Windows Hello for Business post-logon provisioning is enabled: Yes
        Local computer meets Windows hello for business hardware requirements: Yes
        User is not connected to the machine via Remote Desktop: Yes
        User certificate for on premise auth policy is enabled: No
        Cloud trust for on premise auth policy is enabled: No
        User is a member of a provisioning group: Not Tested
        User's on-premises UPN is supported for key trust: Yes
        Machine is governed by none policy.
        See https://go.microsoft.com/fwlink/?linkid=832647 for more details.
        """);
  }

  @Test
  void event360TextWithReasonsAndGroupPolicyGovernance() throws Exception {
    PrerequisiteReport r = report(good().session(SessionInfo.remote("SSH_TTY is set (SSH session)")),
        computerGpo(dir, "UsePassportForWork = 0"));

    String plain = PrerequisiteRenderer.eventText(r);
    String detailed = PrerequisiteRenderer.eventTextWithReasons(r);

    assertThat(plain).startsWith("Windows Hello for Business provisioning will not be launched.\n")
        .contains("Windows Hello for Business policy is enabled: No\n",
            "Windows Hello for Business post-logon provisioning is enabled: Not Tested\n",
            "User is not connected to the machine via Remote Desktop: No\n",
            "Machine is governed by enrollment authority policy.\n");
    assertThat(detailed.lines().filter(l -> !l.startsWith("    ")).toList())
        .isEqualTo(plain.lines().toList());
    assertThat(detailed).contains("User is not connected to the machine via Remote Desktop: No\n"
        + "    the session is remote (SSH_TTY is set (SSH session))");
    assertThat(detailed.lines().filter(l -> l.startsWith("    "))).hasSize(PrerequisiteId.values().length);
  }

  @Test
  void ngcPrerequisiteCheckSectionInTheStyleOfDsregcmd() throws Exception {
    PrerequisiteReport r = report(good().tpm(TpmState.absent()),
        computerGpo(dir, "RequireSecurityDevice = 1"));

    assertThat(PrerequisiteRenderer.ngcPrerequisiteCheck(r)).isEqualTo("""
        +----------------------------------------------------------------------+
        | Ngc Prerequisite Check                                               |
        +----------------------------------------------------------------------+

                    IsDeviceJoined : YES
                     IsUserAzureAD : YES
                     PolicyEnabled : YES
                  PostLogonEnabled : YES
                    DeviceEligible : NO
                SessionIsNotRemote : YES
                  X509CertRequired : NO
                 CloudTrustEnabled : NO
                    CertEnrollment : enrollment authority
         IsUserInProvisioningGroup : NOT TESTED
                OnPremUpnSupported : YES
                      PreReqResult : WillNotProvision
        """);
    assertThat(PrerequisiteRenderer.ngcPrerequisiteFields(r))
        .containsEntry("DeviceEligible", "NO")
        .containsEntry("PreReqResult", "WillNotProvision")
        .hasSize(PrerequisiteId.values().length + 2);
  }

  @Test
  void mapFormForTheJsonWriter() {
    PrerequisiteReport r = report(good().joinState(JoinState.NOT_JOINED), EffectivePolicy.defaults());

    Map<String, Object> m = PrerequisiteRenderer.toMap(r);

    assertJsonTypes(m);
    assertThat(m).containsEntry("result", "WillNotProvision").containsEntry("eventId", 360)
        .containsEntry("trigger", "sign_in").containsEntry("machinePolicySource", "none");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> checks = (List<Map<String, Object>>) m.get("checks");
    assertThat(checks).hasSize(PrerequisiteId.values().length);
    assertThat(checks.get(0)).containsEntry("id", "deviceJoined")
        .containsEntry("line", "Device is AAD joined ( AADJ or DJ++ )")
        .containsEntry("answer", "No").containsEntry("blocking", true);
    assertThat((String) checks.get(0).get("reason")).contains("neither Entra joined");
    assertThat(checks.get(1)).containsEntry("id", "userLoggedOnWithCloudCredentials")
        .containsEntry("answer", "Not Tested").containsEntry("blocking", false);
    assertThat(checks).extracting(c -> c.get("id")).doesNotHaveDuplicates();
  }

  private static void assertJsonTypes(Object v) {
    if (v instanceof Map<?, ?> map) {
      map.forEach((k, x) -> {
        assertThat(k).isInstanceOf(String.class);
        assertJsonTypes(x);
      });
    } else if (v instanceof List<?> list) {
      list.forEach(PrerequisiteRendererTest::assertJsonTypes);
    } else {
      assertThat(v).isNotNull().isInstanceOfAny(String.class, Integer.class, Boolean.class);
    }
  }
}
