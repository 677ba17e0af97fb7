package dev.keytrust.agent.prereq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.PolicyResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/prerequisites.md against the code: its complete device context example loads with
 * {@link DeviceContextFile} and gives the values and the event text the document states, and every
 * key the file format accepts is in the document's key table.
 */
class PrerequisitesDocumentationTest {

  private static final String DEVICE = "4d6e1b2a-3c5f-4e7a-9b8c-1d2e3f405162";
  private static final String TENANT = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

  /** A key table row: {@code | `key` | ...}. */
  private static final Pattern KEY_ROW = Pattern.compile("^\\| `([^`]+)` \\|", Pattern.MULTILINE);
  /** The list of keys in DeviceContextFile's unknown-key message. */
  private static final Pattern KNOWN = Pattern.compile("\\(known: ([^)]*)\\)");

  @TempDir Path dir;

  /** Counts detections; the environment would say "remote", so a local result comes from the file. */
  private final AtomicInteger detections = new AtomicInteger();
  private final RemoteSessionDetector detector = new RemoteSessionDetector(
      Map.of("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22"), cmd -> {
        detections.incrementAndGet();
        return Optional.empty();
      });

  /** docs/NAME from the module directory (Maven) or the repository root (IDE). */
  static Path doc(String name) {
    for (Path p : List.of(Path.of("..", "docs", name), Path.of("docs", name))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError("docs/" + name + " not found from " + Path.of("").toAbsolutePath());
  }

  private static String text() throws Exception {
    return Files.readString(doc("prerequisites.md"), StandardCharsets.UTF_8).replace("\r\n", "\n");
  }

  /** The fenced block right after the HTML comment {@code <!-- marker -->}. */
  private static String block(String marker, String language) throws Exception {
    Matcher m = Pattern.compile("<!-- " + Pattern.quote(marker) + " -->\\n```" + language
        + "\\n(.*?)```", Pattern.DOTALL).matcher(text());
    assertThat(m.find()).as("a ```%s block marked <!-- %s --> in docs/prerequisites.md", language,
        marker).isTrue();
    String body = m.group(1);
    assertThat(m.find()).as("only one block marked %s", marker).isFalse();
    return body;
  }

  private Path example() throws Exception {
    return Files.writeString(dir.resolve("device.conf"), block("device-context-example", "properties"),
        StandardCharsets.UTF_8);
  }

  /** The keys of the document's key table (section 2). */
  private static Set<String> documentedKeys() throws Exception {
    String t = text();
    int from = t.indexOf("### Keys");
    assertThat(from).as("a '### Keys' section").isNotNegative();
    int to = t.indexOf("\n#", from + 1);
    Matcher m = KEY_ROW.matcher(t.substring(from, to < 0 ? t.length() : to));
    Set<String> keys = new LinkedHashSet<>();
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  /**
   * The keys DeviceContextFile accepts, as its unknown-key error lists them (the list is private to
   * the class): the fixed keys and {@code token.<claim>}.
   */
  private List<String> acceptedKeys() throws Exception {
    Path f = Files.writeString(dir.resolve("unknown.conf"), "join = hybrid\nno.such.key = 1\n");
    try {
      DeviceContextFile.read(f, detector);
    } catch (AgentException e) {
      assertThat(e.code()).isEqualTo(AgentErrorCode.DEVICE_CONTEXT_INVALID);
      Matcher m = KNOWN.matcher(e.getMessage());
      assertThat(m.find()).as("the key list in: %s", e.getMessage()).isTrue();
      List<String> keys = Arrays.stream(m.group(1).split(",")).map(String::strip).toList();
      assertThat(keys).hasSizeGreaterThan(5).contains("join", "token.<claim>");
      return keys;
    }
    throw new AssertionError("an unknown key was accepted");
  }

  @Test
  void theExampleLoadsWithTheDocumentedValues() throws Exception {
    DeviceContext c = DeviceContextFile.read(example(), detector);

    assertThat(c.joinState()).isEqualTo(JoinState.HYBRID_JOINED);
    assertThat(c.deviceId()).contains(DEVICE);
    assertThat(c.tenantId()).contains(TENANT);
    assertThat(c.verifiedDomains()).containsExactly("contoso.com", "corp.contoso.com");
    UserIdentity u = c.user();
    assertThat(u.onPremUpn()).contains("alice@corp.contoso.com");
    assertThat(u.cloudUpn()).contains("alice@contoso.com");
    assertThat(u.onPremisesUserPrincipalName()).contains("alice@corp.contoso.com");
    assertThat(u.groups()).containsExactly("Domain Users", "WHfB Users");
    assertThat(u.claims().claims()).containsOnlyKeys("deviceid", "tid", "amr");
    assertThat(u.claims().deviceId()).contains(DEVICE);
    assertThat(u.claims().tenantId()).contains(TENANT);
    assertThat(u.claims().amr()).containsExactly("pwd", "mfa");
    assertThat(c.session().remote()).isFalse();
    assertThat(c.session().evidence())
        .isEqualTo("device context " + dir.resolve("device.conf") + ": session.remote = no");
    assertThat(detections).as("session.remote is set: no detection").hasValue(0);
    assertThat(c.tpm()).isEqualTo(TpmState.present(TpmVersion.TPM_2_0, true, false));
  }

  @Test
  void theExampleIsCompleteAndUsesOnlyDocumentedKeys() throws Exception {
    List<String> exampleKeys = new ArrayList<>();
    for (String line : block("device-context-example", "properties").split("\n")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        exampleKeys.add(l.substring(0, l.indexOf('=')).strip());
      }
    }
    List<String> fixed = acceptedKeys().stream().filter(k -> !k.startsWith("token.")).toList();
    assertThat(exampleKeys).as("the complete example sets every fixed key").containsAll(fixed);
    assertThat(exampleKeys).anyMatch(k -> k.startsWith("token."));
  }

  @Test
  void theExampleGivesTheDocumentedEventText() throws Exception {
    DeviceContext c = DeviceContextFile.read(example(), detector);
    EffectivePolicy defaults = new PolicyResolver(dir.resolve("no-policy")).resolve("alice");

    PrerequisiteReport report =
        new PrerequisiteChecker().check(c, defaults, ProvisioningTrigger.EXPLICIT);

    assertThat(PrerequisiteRenderer.eventText(report))
        .isEqualTo(block("device-context-example-event", "text"));
    assertThat(report.result()).isEqualTo(PreReqResult.WILL_PROVISION);
    assertThat(text()).contains("PreReqResult is WillProvision (event 358)");
  }

  @Test
  void everyAcceptedKeyIsDocumented() throws Exception {
    Set<String> documented = documentedKeys();
    List<String> accepted = acceptedKeys();

    assertThat(documented).as("the key table of docs/prerequisites.md").containsAll(accepted);
    assertThat(accepted).as("keys DeviceContextFile accepts").containsAll(documented);

    // format() writes every fixed key for a context with a present TPM; all must be documented too
    String written = DeviceContextFile.format(DeviceContextFile.read(example(), detector));
    for (String line : written.split("\n")) {
      if (!line.startsWith("#")) {
        String key = line.substring(0, line.indexOf('=')).strip();
        assertThat(documented).as("documented key for written line '%s'", line)
            .contains(key.startsWith("token.") ? "token.<claim>" : key);
      }
    }
  }

  @Test
  void theDocumentedErrorCodesHold() throws Exception {
    Path noEquals = Files.writeString(dir.resolve("a.conf"), "join hybrid\n");
    assertThatThrownBy(() -> DeviceContextFile.read(noEquals, detector))
        .isInstanceOfSatisfying(AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DEVICE_CONTEXT_INVALID));
    Path semicolon = Files.writeString(dir.resolve("b.conf"), "join = entra\n; not a comment\n");
    assertThatThrownBy(() -> DeviceContextFile.read(semicolon, detector))
        .isInstanceOfSatisfying(AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DEVICE_CONTEXT_INVALID));
    assertThatThrownBy(() -> DeviceContextFile.read(dir.resolve("missing.conf"), detector))
        .isInstanceOfSatisfying(AgentException.class,
            e -> assertThat(e.code()).isEqualTo(AgentErrorCode.DEVICE_CONTEXT_UNREADABLE));
    String t = text();
    assertThat(t).contains("| " + AgentErrorCode.DEVICE_CONTEXT_INVALID.id() + " | 2 |")
        .contains("| " + AgentErrorCode.DEVICE_CONTEXT_UNREADABLE.id() + " | 1 |");
    assertThat(AgentErrorCode.DEVICE_CONTEXT_INVALID.badInput()).isTrue();
    assertThat(AgentErrorCode.DEVICE_CONTEXT_UNREADABLE.badInput()).isFalse();
  }

  @Test
  void theDocumentedSshVariablesMeanRemote() throws Exception {
    String t = text();
    for (String name : List.of("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")) {
      assertThat(t).contains("`" + name + "`");
      SessionInfo s = new RemoteSessionDetector(Map.of(name, "x"), cmd -> Optional.empty()).detect();
      assertThat(s.remote()).as(name).isTrue();
      assertThat(s.evidence()).isEqualTo(name + " is set (SSH session)");
    }
    SessionInfo local = new RemoteSessionDetector(Map.of("XDG_SESSION_ID", "4"),
        cmd -> cmd.equals(List.of("loginctl", "show-session", "4", "-p", "Remote"))
            ? Optional.of("Remote=no\n") : Optional.empty()).detect();
    assertThat(local.remote()).isFalse();
    assertThat(t).contains("loginctl show-session ID -p Remote").contains("`Remote=yes`")
        .contains("`Remote=no`");
  }
}
