package dev.keytrust.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.boundary.offenders.BoundaryOffenders;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package boundaries of keytrust, checked on the compiled classes of every module
 * (ArchUnit rather than JPMS module descriptors: TSS.Java 1.0.0 is a signed jar without a module
 * name, and running every module's tests, the test fixtures shared between modules, the shaded
 * CLI and benchmark jars and the fuzz tests on the module path would cost far more than these
 * rules do; the rules are what {@code module-info} exports would say).
 *
 * <p>The public API (what an embedding agent may use): tpm-core's {@code key}, {@code
 * credential}, {@code error}, {@code secret} and {@code tpm} packages; the agent's packages but
 * {@code agent.internal} and {@code agent.cli}. Internal to keytrust's own modules (a qualified
 * export): {@code dev.keytrust.internal}, {@code store}, {@code tpm.session},
 * {@code agent.internal}, {@code agent.cli}.
 */
class ArchitectureTest {
  static final String[] TPM_CORE = {"dev.keytrust.tpm..", "dev.keytrust.key..", "dev.keytrust.credential..",
      "dev.keytrust.secret..", "dev.keytrust.store..", "dev.keytrust.error..", "dev.keytrust.internal..",
      "dev.keytrust.attest.."};
  static final String[] INTERNAL = {"dev.keytrust.internal..", "dev.keytrust.store..", "dev.keytrust.tpm.session..",
      "dev.keytrust.agent.internal..", "dev.keytrust.agent.cli.."};
  /** What code outside keytrust may use: the exported API packages, and what they expose. */
  static final String[] EXPORTED = {"dev.keytrust.tpm", "dev.keytrust.key", "dev.keytrust.credential",
      "dev.keytrust.error", "dev.keytrust.secret", "dev.keytrust.attest", "dev.keytrust.agent",
      "dev.keytrust.agent.error", "dev.keytrust.agent.flow", "dev.keytrust.agent.policy",
      "dev.keytrust.agent.prereq", "dev.keytrust.agent.mfa", "dev.keytrust.agent.pin", "dev.keytrust.agent.endpoint..",
      "dev.keytrust.agent.records", "dev.keytrust.agent.signin..", "dev.keytrust.agent.status", "dev.keytrust.agent.kinit",
      "dev.keytrust.agent.keys", "dev.keytrust.agent.audit", "dev.keytrust.agent.pam",
      "java..", "javax..", "org.slf4j.."};

  static final ArchRule CORE_KNOWS_NOTHING_OF_THE_AGENT = noClasses().that().resideInAnyPackage(TPM_CORE)
      .should().dependOnClassesThat().resideInAnyPackage("dev.keytrust.agent..", "dev.keytrust.lab..",
          "dev.keytrust.bench..", "dev.keytrust.nativeio..", "picocli..")
      .because("tpm-core is about TPMs, keys and formats only");

  static final ArchRule TPM_DOES_NOT_USE_KEY = noClasses().that().resideInAPackage("dev.keytrust.tpm..")
      .should().dependOnClassesThat().resideInAPackage("dev.keytrust.key..")
      .because("keys are built on the TPM layer, not the other way round");

  static final ArchRule CREDENTIAL_IS_A_FORMAT_ONLY = noClasses().that().resideInAPackage("dev.keytrust.credential..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.keytrust.key..", "dev.keytrust.tpm..")
      .because("the KeyCredentialLink codec is a format: it knows public keys, not key stores or TPMs");

  static final ArchRule THE_AGENT_IS_NOT_THE_LAB = noClasses().that().resideInAPackage("dev.keytrust.agent..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.keytrust.lab..", "dev.keytrust.bench..")
      .because("the lab and the benchmarks use the agent, not the other way round");

  static final ArchRule SESSIONS_STAY_IN_THE_TPM_LAYER = classes().that().resideInAPackage("dev.keytrust.tpm.session..")
      .should().onlyHaveDependentClassesThat().resideInAnyPackage("dev.keytrust.tpm..", "dev.keytrust.bench..")
      .because("HMAC and encrypted sessions are how TpmSession talks to the TPM, not an API (the benchmarks"
          + " measure them on their own)");

  static final ArchRule THE_CLI_IS_NOT_AN_API = classes().that().resideInAPackage("dev.keytrust.agent.cli..")
      .should().onlyHaveDependentClassesThat().resideInAPackage("dev.keytrust.agent.cli..")
      .because("the CLI parses options and renders the agent's API (status included); nothing builds on it");

  static final ArchRule AGENT_INTERNALS_STAY_IN_THE_AGENT = classes().that().resideInAPackage("dev.keytrust.agent.internal..")
      .should().onlyHaveDependentClassesThat().resideInAPackage("dev.keytrust.agent..")
      .because("the agent's internals are not the lab's");

  static final ArchRule INTERNALS_STAY_IN_KEYTRUST = noClasses().that().resideOutsideOfPackage("dev.keytrust..")
      .should().dependOnClassesThat().resideInAnyPackage(INTERNAL)
      .because("internal packages may change in any release: only keytrust's own modules use them");

  static final ArchRule EMBEDDERS_USE_THE_EXPORTED_API = classes().that().resideInAPackage("dev.example..")
      .should().onlyDependOnClassesThat().resideInAnyPackage(concat(EXPORTED, "dev.example.."))
      .because("an endpoint agent embeds keytrust through its exported API only");

  static final List<ArchRule> RULES = List.of(CORE_KNOWS_NOTHING_OF_THE_AGENT, TPM_DOES_NOT_USE_KEY,
      CREDENTIAL_IS_A_FORMAT_ONLY, THE_AGENT_IS_NOT_THE_LAB, SESSIONS_STAY_IN_THE_TPM_LAYER, THE_CLI_IS_NOT_AN_API,
      AGENT_INTERNALS_STAY_IN_THE_AGENT);

  static JavaClasses keytrust;
  static JavaClasses example;

  @BeforeAll
  static void importClasses() throws IOException {
    // the main classes of every module: tests (and the modules' test fixtures) may reach in
    keytrust = new ClassFileImporter()
        .withImportOption(location -> !location.contains("/test-classes/") && !location.contains("-tests.jar"))
        .importPackages("dev.keytrust");
    example = new ClassFileImporter().importPath(compileExample());
  }

  /**
   * The embedding example, examples/embedding: a project of its own outside the reactor, which
   * EmbeddingAgentTest builds from the installed artifacts and runs. It is compiled here too, from
   * its folder against this module's class path, so the rules check it in every build without
   * that slower build (the rules, not the class path, are what keep it to the exported API).
   */
  static Path compileExample() throws IOException {
    Path sources = Path.of(System.getProperty("keytrust.root", ".."), "examples", "embedding", "src", "main", "java");
    Path out = Path.of(System.getProperty("keytrust.build.dir", "target"), "example-classes");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(sources)) {
      files = walk.filter(f -> f.toString().endsWith(".java")).toList();
    }
    assertThat(files).as("the example's sources in " + sources).isNotEmpty();
    if (Files.exists(out)) { // no class of an earlier version of the example
      try (Stream<Path> old = Files.walk(out)) {
        for (Path f : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
    Files.createDirectories(out);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter messages = new StringWriter();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      boolean ok = javac.getTask(messages, fm, null,
          List.of("--release", "17", "-proc:none", "-Xlint:all", "-Werror", "-d", out.toString(),
              "-classpath", System.getProperty("java.class.path")),
          null, fm.getJavaFileObjectsFromPaths(files)).call();
      assertThat(ok).as("the example compiles:%n%s", messages).isTrue();
    }
    return out;
  }

  @Test
  void theModulesAndPackagesKeepTheirBoundaries() {
    assertThat(keytrust.size()).as("classes found").isGreaterThan(300);
    RULES.forEach(rule -> rule.check(keytrust));
  }

  @Test
  void theEmbeddingExampleUsesTheExportedApiOnly() {
    assertThat(example.size()).as("the example's classes").isGreaterThanOrEqualTo(2);
    assertThat(example.contain("dev.example.embedding.EmbeddingAgent")).isTrue();
    EMBEDDERS_USE_THE_EXPORTED_API.check(example);
    INTERNALS_STAY_IN_KEYTRUST.check(example);
  }

  /** The rules can fail: classes written to break them are reported. */
  @Test
  void codeThatCrossesABoundaryIsReported() {
    JavaClasses offenders = new ClassFileImporter().importClasses(
        BoundaryOffenders.UsesAnInternalPackage.class, BoundaryOffenders.UsesTheCli.class);
    assertThat(INTERNALS_STAY_IN_KEYTRUST.evaluate(offenders).getFailureReport().getDetails())
        .anyMatch(d -> d.contains("dev.keytrust.internal.Sha256"))
        .anyMatch(d -> d.contains("dev.keytrust.agent.cli"));
    assertThat(classes().that().resideInAPackage("dev.boundary..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(concat(EXPORTED, "dev.boundary.."))
        .evaluate(offenders).hasViolation()).isTrue();
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
