package dev.keytrust.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.pin.CharClassRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example in docs/policy.md, written to real files, gives what the document says. */
class PolicyDocumentationTest {

  private static final Pattern BLOCK =
      Pattern.compile("```properties\\n# (\\S+)\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path dir;

  static Path doc(String name) {
    for (Path p : List.of(Path.of("..", "docs", name), Path.of("docs", name))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError("docs/" + name + " not found from " + Path.of("").toAbsolutePath());
  }

  @Test
  void theExampleResolvesAsDocumented() throws Exception {
    Matcher m = BLOCK.matcher(Files.readString(doc("policy.md")));
    List<String> written = new ArrayList<>();
    while (m.find()) {
      Path file = dir.resolve(m.group(1));
      Files.createDirectories(file.getParent());
      Files.writeString(file, "# " + m.group(1) + "\n" + m.group(2));
      written.add(m.group(1));
    }
    assertThat(written).containsExactly(
        "computer/gpo.properties", "computer/mdm.properties", "users/alice/gpo.properties");

    EffectivePolicy p = new PolicyResolver(dir).resolve("alice");

    assertThat(p.pinPolicy().minLength()).isEqualTo(8);
    assertThat(p.pinPolicy().digits()).isEqualTo(CharClassRule.REQUIRED);
    assertThat(p.pinPolicy().history()).isEqualTo(5);
    assertThat(p.pinPolicy().expirationDays()).isZero();
    assertThat(p.value(Setting.REQUIRE_SECURITY_DEVICE)).isTrue();
    assertThat(p.value(Setting.EXCLUDE_TPM12)).isTrue();
    assertThat(p.provisioningGroups()).containsExactly("WHfB Users");
    assertThat(p.machinePolicySource().windowsName()).isEqualTo("enrollment authority");
    assertThat(p.effective(Setting.MINIMUM_PIN_LENGTH).origin().describe())
        .isEqualTo("computer GPO " + dir.resolve("computer/gpo.properties") + ":5");
    assertThat(p.diagnostics()).extracting(PolicyDiagnostic::code, PolicyDiagnostic::setting)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(AgentErrorCode.POLICY_SOURCES_CONFLICT,
                "PINComplexity/MinimumPINLength"),
            org.assertj.core.groups.Tuple.tuple(AgentErrorCode.POLICY_SOURCES_CONFLICT,
                "PINComplexity/Expiration"));
  }
}
