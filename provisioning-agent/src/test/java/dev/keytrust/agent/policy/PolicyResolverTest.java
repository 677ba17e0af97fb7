package dev.keytrust.agent.policy;

import static dev.keytrust.agent.policy.PolicyFiles.USER;
import static dev.keytrust.agent.policy.PolicyFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.pin.CharClassRule;
import dev.keytrust.agent.pin.PinPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyResolverTest {

  @TempDir Path dir;

  private EffectivePolicy resolve() throws AgentException {
    return new PolicyResolver(dir).resolve(USER);
  }

  @Test
  void nothingConfiguredGivesTheDefaultsEachFromDefault() throws Exception {
    EffectivePolicy p = new PolicyResolver(dir.resolve("absent")).resolve(USER);

    assertThat(p.pinPolicy()).isEqualTo(PinPolicy.defaults());
    assertThat(p.pinPolicy().minLength()).isEqualTo(6);
    assertThat(p.usePassportForWork()).isTrue();
    assertThat(p.value(Setting.REQUIRE_SECURITY_DEVICE)).isFalse();
    assertThat(p.value(Setting.EXCLUDE_TPM12)).isFalse();
    assertThat(p.value(Setting.DISABLE_POST_LOGON_PROVISIONING)).isFalse();
    assertThat(p.value(Setting.USE_CERTIFICATE_FOR_ON_PREM_AUTH)).isFalse();
    assertThat(p.value(Setting.USE_CLOUD_TRUST_FOR_ON_PREM_AUTH)).isFalse();
    assertThat(p.provisioningGroups()).isEmpty();
    assertThat(p.values()).hasSize(Setting.all().size())
        .allSatisfy(v -> assertThat(v.origin().describe()).isEqualTo("default"));
    assertThat(p.diagnostics()).isEmpty();
    assertThat(p.files()).isEmpty();
    assertThat(p.machinePolicySource()).isEqualTo(MachinePolicySource.NONE);
    assertThat(EffectivePolicy.defaults().pinPolicy()).isEqualTo(PinPolicy.defaults());
  }

  /** Windows' enforcement hierarchy for PassportForWork, highest first (spec §1.4). */
  private static final List<PolicyLayer> PRECEDENCE = List.of(
      PolicyLayer.USER_GPO, PolicyLayer.COMPUTER_GPO, PolicyLayer.USER_MDM, PolicyLayer.COMPUTER_MDM);

  /** Every non-empty subset of the four layers. */
  static Stream<Arguments> layerSubsets() {
    List<Arguments> out = new ArrayList<>();
    for (int mask = 1; mask < 16; mask++) {
      List<PolicyLayer> set = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        if ((mask & (1 << i)) != 0) {
          set.add(PRECEDENCE.get(i));
        }
      }
      out.add(Arguments.of(set));
    }
    return out.stream();
  }

  private static int historyOf(PolicyLayer layer) {
    return 10 + PRECEDENCE.indexOf(layer);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layerSubsets")
  void precedenceIsUserGpoThenComputerGpoThenUserMdmThenComputerMdm(List<PolicyLayer> configured)
      throws Exception {
    // written lowest precedence first, so file order cannot decide
    for (int i = configured.size() - 1; i >= 0; i--) {
      PolicyLayer layer = configured.get(i);
      write(dir, layer, "# " + layer, "PINComplexity/History = " + historyOf(layer));
    }
    PolicyLayer winner = configured.get(0);

    EffectivePolicy p = resolve();
    EffectiveValue<Integer> history = p.effective(Setting.HISTORY);

    assertThat(history.value()).isEqualTo(historyOf(winner));
    ValueOrigin.Configured origin = (ValueOrigin.Configured) history.origin();
    assertThat(origin.layer()).isEqualTo(winner);
    assertThat(origin.scope()).isEqualTo(winner.scope());
    assertThat(origin.source()).isEqualTo(winner.source());
    assertThat(origin.file()).isEqualTo(new PolicyResolver(dir).file(winner, USER));
    assertThat(origin.line()).isEqualTo(2);
    assertThat(history.ignored()).extracting(c -> c.origin().layer())
        .containsExactlyElementsOf(configured.subList(1, configured.size()));
    long expectedConflicts = winner.source() == PolicySource.GROUP_POLICY
        ? configured.stream().filter(l -> l.source() == PolicySource.MDM).count() : 0;
    assertThat(p.diagnostics()).hasSize((int) expectedConflicts)
        .allSatisfy(d -> {
          assertThat(d.code()).isEqualTo(AgentErrorCode.POLICY_SOURCES_CONFLICT);
          assertThat(d.severity()).isEqualTo(PolicyDiagnostic.Severity.WARNING);
          assertThat(d.message()).contains("ignored while group policy sets " + historyOf(winner));
        });
  }

  @Test
  void userOverridesComputerWithinOneSourceWithoutAConflictWarning() throws Exception {
    write(dir, PolicyLayer.COMPUTER_MDM, "RequireSecurityDevice = 1");
    write(dir, PolicyLayer.USER_MDM, "RequireSecurityDevice = 0");

    EffectivePolicy p = resolve();

    assertThat(p.value(Setting.REQUIRE_SECURITY_DEVICE)).isFalse();
    assertThat(p.effective(Setting.REQUIRE_SECURITY_DEVICE).origin().describe())
        .startsWith("user MDM ").endsWith("users/alice/mdm.properties:1");
    assertThat(p.diagnostics()).isEmpty();
    assertThat(p.machinePolicySource()).isEqualTo(MachinePolicySource.MDM);
  }

  @Test
  void anMdmValueThatAgreesWithGroupPolicyIsNoConflict() throws Exception {
    write(dir, PolicyLayer.COMPUTER_GPO, "PINComplexity/Digits = 1");
    write(dir, PolicyLayer.COMPUTER_MDM, "PINComplexity/Digits = 1");

    EffectivePolicy p = resolve();

    assertThat(p.value(Setting.DIGITS)).isEqualTo(CharClassRule.REQUIRED);
    assertThat(p.diagnostics()).isEmpty();
    assertThat(p.machinePolicySource()).isEqualTo(MachinePolicySource.GROUP_POLICY);
  }

  @Test
  void groupPolicyOverridesOnlyTheSettingsItSetsMdmStillAppliesTheOthers() throws Exception {
    Path gpo = write(dir, PolicyLayer.COMPUTER_GPO, "PINComplexity/MinimumPINLength = 8");
    Path mdm = write(dir, PolicyLayer.COMPUTER_MDM,
        "PINComplexity/MinimumPINLength = 10", "PINComplexity/Expiration = 90");

    EffectivePolicy p = resolve();

    assertThat(p.value(Setting.MINIMUM_PIN_LENGTH)).isEqualTo(8);
    assertThat(p.value(Setting.EXPIRATION)).isEqualTo(90);
    assertThat(((ValueOrigin.Configured) p.effective(Setting.EXPIRATION).origin()).file()).isEqualTo(mdm);
    assertThat(p.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo(AgentErrorCode.POLICY_SOURCES_CONFLICT);
      assertThat(d.file()).isEqualTo(mdm);
      assertThat(d.line()).isEqualTo(1);
      assertThat(d.setting()).isEqualTo("PINComplexity/MinimumPINLength");
      assertThat(d.message()).contains(mdm.toString(), gpo.toString(), "= 10 from MDM is ignored");
    });
    assertThat(p.hasErrors()).isFalse();
  }

  static Stream<Arguments> outOfRange() {
    return Stream.of(
        Arguments.of("PINComplexity/MinimumPINLength", "3", "4..127"),
        Arguments.of("PINComplexity/MinimumPINLength", "128", "4..127"),
        Arguments.of("PINComplexity/MaximumPINLength", "200", "4..127"),
        Arguments.of("PINComplexity/MaximumPINLength", "six", "4..127"),
        Arguments.of("PINComplexity/History", "51", "0..50"),
        Arguments.of("PINComplexity/History", "-1", "0..50"),
        Arguments.of("PINComplexity/Expiration", "731", "0..730"),
        Arguments.of("PINComplexity/Expiration", "99999999999", "0..730"),
        Arguments.of("PINComplexity/Digits", "3", "0 (allowed), 1 (required) or 2 (not allowed)"),
        Arguments.of("PINComplexity/SpecialCharacters", "required",
            "0 (allowed), 1 (required) or 2 (not allowed)"),
        Arguments.of("UsePassportForWork", "yes", "1 or 0 (true or false)"),
        Arguments.of("RequireSecurityDevice", "2", "1 or 0 (true or false)"),
        Arguments.of("DisablePostLogonProvisioning", "", "1 or 0 (true or false)"),
        Arguments.of("ProvisioningGroups", "Pilot,,Staff", "a comma-separated list of group names or ids"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("outOfRange")
  void aBadValueNamesFileLineSettingAndRangeAndIsNotAppliedButTheRestOfTheFileIs(
      String setting, String value, String allowed) throws Exception {
    Path file = write(dir, PolicyLayer.COMPUTER_GPO,
        "# computer policy", setting + " = " + value, "PINComplexity/UppercaseLetters = 2");

    EffectivePolicy p = resolve();

    Setting<?> s = Setting.byName(setting).orElseThrow();
    assertThat(p.effective(s).isDefault()).isTrue();
    assertThat(p.value(Setting.UPPERCASE_LETTERS)).isEqualTo(CharClassRule.DISALLOWED);
    assertThat(p.hasErrors()).isTrue();
    assertThat(p.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo(AgentErrorCode.POLICY_VALUE_INVALID);
      assertThat(d.severity()).isEqualTo(PolicyDiagnostic.Severity.ERROR);
      assertThat(d.file()).isEqualTo(file);
      assertThat(d.line()).isEqualTo(2);
      assertThat(d.setting()).isEqualTo(setting);
      assertThat(d.message()).contains(file + ":2", setting, "allowed " + allowed, "not applied");
    });
  }

  @Test
  void theBoundsOfEachRangeAreAccepted() throws Exception {
    write(dir, PolicyLayer.COMPUTER_GPO,
        "PINComplexity/MinimumPINLength = 4", "PINComplexity/MaximumPINLength = 127",
        "PINComplexity/History = 50", "PINComplexity/Expiration = 730",
        "PINComplexity/Digits = 0", "PINComplexity/LowercaseLetters = 1",
        "PINComplexity/UppercaseLetters = 2", "PINComplexity/SpecialCharacters = 1");
    write(dir, PolicyLayer.USER_GPO, "UsePassportForWork = false", "RequireSecurityDevice = TRUE");

    EffectivePolicy p = resolve();

    assertThat(p.diagnostics()).isEmpty();
    assertThat(p.pinPolicy()).isEqualTo(new PinPolicy(4, 127, CharClassRule.ALLOWED,
        CharClassRule.REQUIRED, CharClassRule.DISALLOWED, CharClassRule.REQUIRED, 50, 730));
    assertThat(p.usePassportForWork()).isFalse();
    assertThat(p.value(Setting.REQUIRE_SECURITY_DEVICE)).isTrue();
  }

  @Test
  void malformedUnknownAndDuplicateLinesAreDiagnosedWhileTheRestApplies() throws Exception {
    Path file = write(dir, PolicyLayer.COMPUTER_MDM,
        "; MDM export",
        "this line has no equals sign",
        "   = 5",
        "PinLength = 8",
        "pincomplexity/history = 7",
        "PINComplexity/Expiration = 30",
        "PINComplexity/Expiration = 60");

    EffectivePolicy p = resolve();

    assertThat(p.value(Setting.HISTORY)).isEqualTo(7);
    assertThat(p.effective(Setting.EXPIRATION).isDefault()).isTrue();
    assertThat(p.diagnostics()).extracting(PolicyDiagnostic::code, PolicyDiagnostic::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AgentErrorCode.POLICY_LINE_MALFORMED, 2),
            org.assertj.core.groups.Tuple.tuple(AgentErrorCode.POLICY_LINE_MALFORMED, 3),
            org.assertj.core.groups.Tuple.tuple(AgentErrorCode.POLICY_SETTING_UNKNOWN, 4),
            org.assertj.core.groups.Tuple.tuple(AgentErrorCode.POLICY_SETTING_DUPLICATE, 7));
    assertThat(p.diagnostics()).allSatisfy(d -> assertThat(d.message()).contains(file.toString()));
    assertThat(p.diagnostics().get(2).message()).contains("'PinLength'", "PINComplexity/MinimumPINLength");
    assertThat(p.diagnostics().get(3).message()).contains("first on line 6", "neither value is applied");
  }

  @Test
  void crlfLineEndsAByteOrderMarkAndCommentsAreFine() throws Exception {
    Path file = dir.resolve("computer/gpo.properties");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "\uFEFF# exported\r\n\r\nRequireSecurityDevice=1\r\n  PINComplexity/History  =  3  \r\n",
        StandardCharsets.UTF_8);

    EffectivePolicy p = resolve();

    assertThat(p.diagnostics()).isEmpty();
    assertThat(p.value(Setting.REQUIRE_SECURITY_DEVICE)).isTrue();
    assertThat(p.value(Setting.HISTORY)).isEqualTo(3);
    assertThat(((ValueOrigin.Configured) p.effective(Setting.HISTORY).origin()).line()).isEqualTo(4);
  }

  @Test
  void aFileInAnotherFormatIsAnErrorNamingTheFile() throws Exception {
    Path file = write(dir, PolicyLayer.COMPUTER_GPO, "{", "  \"UsePassportForWork\": true", "}");

    assertThatThrownBy(this::resolve).isInstanceOfSatisfying(AgentException.class, e -> {
      assertThat(e.code()).isEqualTo(AgentErrorCode.POLICY_FILE_MALFORMED);
      assertThat(e.code().id()).isEqualTo("KT-1103");
      assertThat(e.getMessage()).contains(file.toString(), "line 1", "docs/policy.md");
    });
  }

  @Test
  void aFileThatIsNotUtf8OrHoldsBinaryDataIsAnError() throws Exception {
    Path file = write(dir, PolicyLayer.USER_MDM, "x");
    Files.write(file, new byte[] {'U', 's', 'e', '=', (byte) 0xC3, (byte) 0x28});
    assertThatThrownBy(this::resolve).isInstanceOfSatisfying(AgentException.class, e -> {
      assertThat(e.code()).isEqualTo(AgentErrorCode.POLICY_FILE_MALFORMED);
      assertThat(e.getMessage()).contains(file.toString(), "UTF-8");
    });

    Files.write(file, new byte[] {'A', '=', '1', 0, 0, 7});
    assertThatThrownBy(this::resolve).isInstanceOfSatisfying(AgentException.class, e -> {
      assertThat(e.code()).isEqualTo(AgentErrorCode.POLICY_FILE_MALFORMED);
      assertThat(e.getMessage()).contains(file.toString(), "binary");
    });
  }

  @Test
  void aFolderWhereAPolicyFileBelongsIsAnError() throws Exception {
    Files.createDirectories(dir.resolve("computer/mdm.properties"));

    assertThatThrownBy(this::resolve).isInstanceOfSatisfying(AgentException.class, e -> {
      assertThat(e.code()).isEqualTo(AgentErrorCode.POLICY_FILE_UNREADABLE);
      assertThat(e.getMessage()).contains("computer/mdm.properties", "not a regular file");
    });
  }

  @Test
  void aPolicyDirectoryThatIsAFileOrABadUserNameIsRefused() throws Exception {
    Path notADir = Files.writeString(dir.resolve("policy"), "x");
    assertThatThrownBy(() -> new PolicyResolver(notADir).resolve(USER))
        .isInstanceOfSatisfying(AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.POLICY_DIRECTORY_INVALID));
    for (String bad : new String[] {"..", "a/b", "CONTOSO\\alice", "", "x\ny"}) {
      assertThatThrownBy(() -> new PolicyResolver(dir).resolve(bad))
          .as(bad)
          .isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).isEqualTo(AgentErrorCode.POLICY_DIRECTORY_INVALID);
            assertThat(e.code().badInput()).isTrue();
          });
    }
  }

  @Test
  void anInvalidMinMaxPairFallsBackToBothDefaults() throws Exception {
    write(dir, PolicyLayer.COMPUTER_GPO, "PINComplexity/MinimumPINLength = 10", "PINComplexity/History = 4");
    Path user = write(dir, PolicyLayer.USER_MDM, "PINComplexity/MaximumPINLength = 8");

    EffectivePolicy p = resolve();

    assertThat(p.pinPolicy().minLength()).isEqualTo(6);
    assertThat(p.pinPolicy().maxLength()).isEqualTo(127);
    assertThat(p.pinPolicy().history()).isEqualTo(4);
    assertThat(p.effective(Setting.MINIMUM_PIN_LENGTH).isDefault()).isTrue();
    assertThat(p.effective(Setting.MAXIMUM_PIN_LENGTH).isDefault()).isTrue();
    assertThat(p.effective(Setting.MINIMUM_PIN_LENGTH).ignored()).extracting(ConfiguredValue::value)
        .containsExactly(10);
    assertThat(p.effective(Setting.MAXIMUM_PIN_LENGTH).ignored()).extracting(ConfiguredValue::value)
        .containsExactly(8);
    assertThat(p.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.code()).isEqualTo(AgentErrorCode.POLICY_PIN_LENGTHS_INVALID);
      assertThat(d.severity()).isEqualTo(PolicyDiagnostic.Severity.ERROR);
      assertThat(d.message()).contains("MinimumPINLength = 10", "MaximumPINLength = 8",
          "computer/gpo.properties:1", user + ":1", "both lengths use their defaults (6..127)");
    });
  }

  @Test
  void equalLengthsAndAMinimumAboveTheDefaultMaximumAreInvalidPairsToo() throws Exception {
    write(dir, PolicyLayer.COMPUTER_GPO, "PINComplexity/MinimumPINLength = 8", "PINComplexity/MaximumPINLength = 8");
    assertThat(resolve().pinPolicy()).isEqualTo(PinPolicy.defaults());

    write(dir, PolicyLayer.COMPUTER_GPO, "PINComplexity/MinimumPINLength = 127");
    EffectivePolicy p = resolve();
    assertThat(p.pinPolicy()).isEqualTo(PinPolicy.defaults());
    assertThat(p.diagnostics()).singleElement()
        .satisfies(d -> assertThat(d.setting()).isEqualTo("PINComplexity/MinimumPINLength"));

    write(dir, PolicyLayer.COMPUTER_GPO, "PINComplexity/MinimumPINLength = 8", "PINComplexity/MaximumPINLength = 9");
    assertThat(resolve().pinPolicy().minLength()).isEqualTo(8);
    assertThat(resolve().pinPolicy().maxLength()).isEqualTo(9);
  }

  @Test
  void deviceOnlySettingsInAUserScopeFileAreErrorsNamingFileAndSetting() throws Exception {
    Path file = write(dir, PolicyLayer.USER_GPO,
        "UsePassportForWork = 1",
        "ExcludeSecurityDevices/TPM12 = 1",
        "DisablePostLogonProvisioning = 1",
        "UseCertificateForOnPremAuth = 1",
        "UseCloudTrustForOnPremAuth = 1",
        "RequireSecurityDevice = 1",
        "PINComplexity/History = 5");

    EffectivePolicy p = resolve();

    assertThat(p.diagnostics()).hasSize(4).allSatisfy(d -> {
      assertThat(d.code()).isEqualTo(AgentErrorCode.POLICY_SETTING_DEVICE_ONLY);
      assertThat(d.file()).isEqualTo(file);
      assertThat(d.message()).contains(file.toString(), d.setting(), "device-only", "not applied");
    });
    assertThat(p.diagnostics()).extracting(PolicyDiagnostic::setting).containsExactly(
        "ExcludeSecurityDevices/TPM12", "DisablePostLogonProvisioning",
        "UseCertificateForOnPremAuth", "UseCloudTrustForOnPremAuth");
    assertThat(p.value(Setting.EXCLUDE_TPM12)).isFalse();
    assertThat(p.value(Setting.DISABLE_POST_LOGON_PROVISIONING)).isFalse();
    assertThat(p.value(Setting.REQUIRE_SECURITY_DEVICE)).isTrue();
    assertThat(p.value(Setting.HISTORY)).isEqualTo(5);

    write(dir, PolicyLayer.COMPUTER_MDM, "ExcludeSecurityDevices/TPM12 = 1");
    assertThat(resolve().value(Setting.EXCLUDE_TPM12)).isTrue();
    assertThat(Setting.all()).filteredOn(Setting::deviceOnly).extracting(Setting::name)
        .containsExactlyInAnyOrder("ExcludeSecurityDevices/TPM12", "DisablePostLogonProvisioning",
            "UseCertificateForOnPremAuth", "UseCloudTrustForOnPremAuth");
  }

  @Test
  void provisioningGroupsAreAListAndAUserFileCanClearThem() throws Exception {
    write(dir, PolicyLayer.COMPUTER_GPO, "ProvisioningGroups = WHfB Users , Pilot,  6f1c1a2e-0d4b-4c55-9c2b-0f5a8f9e1d11");
    assertThat(resolve().provisioningGroups())
        .containsExactly("WHfB Users", "Pilot", "6f1c1a2e-0d4b-4c55-9c2b-0f5a8f9e1d11");
    assertThat(new PolicyResolver(dir).resolveComputer().provisioningGroups()).hasSize(3);

    write(dir, PolicyLayer.USER_GPO, "ProvisioningGroups =");
    assertThat(resolve().provisioningGroups()).isEmpty();
    assertThat(resolve().effective(Setting.PROVISIONING_GROUPS).isDefault()).isFalse();
  }

  @Test
  void resolveComputerReadsNoUserFiles() throws Exception {
    write(dir, PolicyLayer.COMPUTER_MDM, "PINComplexity/History = 3");
    write(dir, PolicyLayer.USER_GPO, "PINComplexity/History = 9");

    EffectivePolicy p = new PolicyResolver(dir).resolveComputer();

    assertThat(p.value(Setting.HISTORY)).isEqualTo(3);
    assertThat(p.user()).isEmpty();
    assertThat(p.files()).containsOnlyKeys(PolicyLayer.COMPUTER_MDM);
  }

  @Test
  void theMapFormHoldsOnlyJsonTypesAndNamesEachOrigin() throws Exception {
    Path gpo = write(dir, PolicyLayer.COMPUTER_GPO, "PINComplexity/Digits = 1", "ProvisioningGroups = Pilot");
    write(dir, PolicyLayer.COMPUTER_MDM, "PINComplexity/Digits = 2", "PINComplexity/History = 99");

    Map<String, Object> m = resolve().toMap();

    assertJsonTypes(m);
    assertThat(m).containsEntry("user", USER).containsEntry("machinePolicySource", "enrollment authority");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> settings = (List<Map<String, Object>>) m.get("settings");
    Map<String, Object> digits = settings.stream()
        .filter(s -> s.get("name").equals("PINComplexity/Digits")).findFirst().orElseThrow();
    assertThat(digits).containsEntry("value", "required").containsEntry("origin", "computer GPO")
        .containsEntry("file", gpo.toString()).containsEntry("line", 1);
    assertThat(PolicyResolverTest.<List<Object>>cast(digits.get("ignored"))).singleElement()
        .satisfies(i -> assertThat(PolicyResolverTest.<Map<String, Object>>cast(i))
            .containsEntry("value", "not allowed")
            .containsEntry("origin", "computer MDM"));
    Map<String, Object> expiration = settings.stream()
        .filter(s -> s.get("name").equals("PINComplexity/Expiration")).findFirst().orElseThrow();
    assertThat(expiration).containsEntry("value", 0).containsEntry("origin", "default");
    assertThat(PolicyResolverTest.<Map<String, Object>>cast(m.get("pinPolicy")))
        .containsEntry("minLength", 6).containsEntry("digits", "required");
    List<Map<String, Object>> diagnostics = cast(m.get("diagnostics"));
    assertThat(diagnostics).extracting(d -> d.get("code")).containsExactly("KT-1107", "KT-1110");
  }

  static void assertJsonTypes(Object v) {
    if (v instanceof Map<?, ?> map) {
      map.forEach((k, x) -> {
        assertThat(k).isInstanceOf(String.class);
        assertJsonTypes(x);
      });
    } else if (v instanceof List<?> list) {
      list.forEach(PolicyResolverTest::assertJsonTypes);
    } else if (v != null) {
      assertThat(v).isInstanceOfAny(String.class, Integer.class, Long.class, Boolean.class);
    }
  }

  @Test
  void diagnosticsDoNotStopOtherFilesFromApplying() throws Exception {
    write(dir, PolicyLayer.USER_MDM, "PINComplexity/History = lots");
    write(dir, PolicyLayer.COMPUTER_MDM, "PINComplexity/History = 2");

    EffectivePolicy p = resolve();

    assertThat(p.value(Setting.HISTORY)).isEqualTo(2);
    assertThat(p.diagnostics()).extracting(PolicyDiagnostic::code).containsExactly(AgentErrorCode.POLICY_VALUE_INVALID);
    assertThat(p.diagnostics().get(0).toString()).startsWith("ERROR KT-1107: ");
  }

  @SuppressWarnings("unchecked")
  static <T> T cast(Object o) {
    return (T) o;
  }
}
