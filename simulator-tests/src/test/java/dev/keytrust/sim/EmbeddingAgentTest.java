package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.Lab;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keytrust as an application takes it. {@code mvn install} of the libraries (the bom, tpm-core,
 * native, provisioning-agent, with the parent) into a local repository of this test's own, then
 * the embedding example (examples/embedding, copied out of the tree) built outside the reactor
 * against that repository only, as an endpoint agent's project is: its class path, its dependency
 * tree (no Logback, no picocli), and a run of it that provisions a user on swtpm against the lab
 * key service with push MFA and signs with the key. The jars on its class path and their sizes go
 * to {@code target/embedding-consumer/footprint.md}.
 *
 * <p>The nested builds use the Maven running this build ({@code maven.home}) and a local repository
 * under {@code target/embedding-consumer/m2}, never the shared one: keytrust's snapshots are
 * installed there only. Third-party artifacts come from this build's local repository, read as a
 * remote repository (so it is never written), else from the network (a clean CI machine reaches
 * Maven Central). Offline builds ({@code -o}) run the nested ones offline too. The install writes
 * its output to {@code <module>/<kt.target>/library-install}, beside this build's.
 */
class EmbeddingAgentTest {
  private static final String USER = "alice@keytrust.lab";
  private static final String PIN = "Embed-PIN-2741";
  /** The libraries a consumer takes, with sources and Javadoc. */
  private static final List<String> LIBRARIES = List.of("keytrust-tpm-core", "keytrust-native",
      "keytrust-provisioning-agent");

  static Path root;
  static String version;
  static Path work;
  static Path repository;
  static Path settings;
  static Path example;
  static String tree;
  static List<Path> classPath;

  @TempDir static Path tmp;

  @BeforeAll
  static void installTheLibrariesAndBuildTheExampleOutsideTheReactor() throws Exception {
    root = Path.of(required("keytrust.root")).toRealPath();
    version = required("keytrust.version");
    work = Files.createDirectories(Path.of(required("keytrust.build.dir"), "embedding-consumer")).toRealPath();
    repository = work.resolve("m2");
    deleteTree(repository.resolve("dev/keytrust")); // only what this run installs
    settings = writeSeedSettings(work.resolve("seed-settings.xml"), Path.of(required("keytrust.maven.repository")));

    mvn(root, "install.log", "install", "-DskipTests", "-Dkt.fuzz.skip=true", "-Dkt.shade.skip=true",
        "-Dkt.target=" + required("keytrust.kt.target") + "/library-install",
        "-pl", "bom,tpm-core,native,provisioning-agent", "-am");

    example = work.resolve("example");
    deleteTree(example);
    copyTree(root.resolve("examples/embedding"), example, p -> !p.startsWith(root.resolve("examples/embedding/target")));
    mvn(example, "example.log", "compile", "dependency:tree", "-DoutputFile=" + work.resolve("tree.txt"),
        "dependency:build-classpath", "-Dmdep.includeScope=runtime", "-Dmdep.outputFile=" + work.resolve("classpath.txt"));
    tree = Files.readString(work.resolve("tree.txt"));
    classPath = Stream.of(Files.readString(work.resolve("classpath.txt")).trim().split(java.io.File.pathSeparator))
        .map(Path::of).toList();
    Files.writeString(work.resolve("footprint.md"), footprintTable(classPath));
  }

  @Test
  void mvnInstallPutsTheLibrariesWithSourcesAndJavadocIntoTheLocalRepository() throws IOException {
    for (String artifact : LIBRARIES) {
      Path dir = repository.resolve("dev/keytrust/" + artifact + "/" + version);
      for (String suffix : List.of(".pom", ".jar", "-sources.jar", "-javadoc.jar")) {
        assertThat(dir.resolve(artifact + "-" + version + suffix)).isRegularFile().isNotEmptyFile();
      }
    }
    String bom = Files.readString(repository.resolve("dev/keytrust/keytrust-bom/" + version + "/keytrust-bom-" + version + ".pom"));
    assertThat(bom).as("the installed BOM is flattened: no parent, no build").doesNotContain("<parent>", "<build>", "<properties>");
    for (String artifact : LIBRARIES) {
      assertThat(bom).contains("<artifactId>" + artifact + "</artifactId>");
    }
  }

  @Test
  void neitherLogbackNorPicocliIsOnTheConsumersClassPath() {
    assertThat(tree).as("mvn dependency:tree of the example")
        .contains("dev.keytrust:keytrust-provisioning-agent:jar:" + version + ":compile")
        .contains("org.slf4j:slf4j-api:jar:").contains("org.slf4j:slf4j-simple:jar:")
        .doesNotContain("ch.qos.logback", "logback-classic", "info.picocli", "picocli")
        // what TSS.Java 1.0.0 would bring and keytrust's poms exclude
        .doesNotContain("bcprov-jdk15on", "net.java.dev.jna:jna:jar:4.");
    assertThat(classPath).isNotEmpty().allSatisfy(jar -> assertThat(jar.getFileName().toString())
        .doesNotContain("logback").doesNotContain("picocli"));
    // keytrust itself comes from this run's install, never from another repository
    assertThat(classPath.stream().filter(jar -> jar.getFileName().toString().startsWith("keytrust-")))
        .hasSize(LIBRARIES.size())
        .allSatisfy(jar -> assertThat(jar).startsWith(repository.resolve("dev/keytrust")));
  }

  @Test
  void theExampleProvisionsOnSwtpmAgainstTheLabKeyServiceAndSigns() throws Exception {
    // the lab: the key service with push MFA (approved after 200 ms) and its own swtpm, which
    // Lab.close stops by its pid
    try (Lab lab = Lab.start(new Lab.Options(tmp.resolve("lab"), Duration.ofHours(1), Duration.ofMillis(200), true,
        false), new PrintStream(PrintStream.nullOutputStream()))) {
      assertThat(lab.swtpm()).as("swtpm (CI installs it)").isPresent();
      Lab.User alice = lab.user(USER);
      Path agent = tmp.resolve("agent");
      Path policy = LabAgentFiles.policy(agent.resolve("policy"), true);
      Path device = LabAgentFiles.device(agent.resolve("device.conf"), alice);
      String challenge = "sign-in challenge " + alice.deviceId();

      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", example.resolve("target/classes") + java.io.File.pathSeparator + String.join(java.io.File.pathSeparator,
              classPath.stream().map(Path::toString).toList()),
          "dev.example.embedding.Main", "--user", USER, "--tpm", lab.tpmUri(), "--key-service", lab.drsUri().toString(),
          "--push", lab.keyService().pushUri().toString(), "--token", alice.tokenFile().toString(),
          "--ca", lab.caFile().toString(), "--device", device.toString(), "--policy", policy.toString(),
          "--work", agent.toString(), "--challenge", challenge));
      Process p = new ProcessBuilder(cmd).redirectOutput(work.resolve("run.out").toFile())
          .redirectError(work.resolve("run.err").toFile()).start();
      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write((PIN + "\n").getBytes(StandardCharsets.UTF_8));
      }
      waitFor(p, "the example");
      String out = Files.readString(work.resolve("run.out"));
      String err = Files.readString(work.resolve("run.err"));
      assertThat(p.exitValue()).as("exit code; stdout:%n%s%nstderr:%n%s", out, err).isZero();

      KeyContainer key = new KeyContainerStore(agent.resolve("keys")).load(USER);
      assertThat(out).contains("provisioned " + USER + ": tpm key " + key.keyIdHex() + " registered at "
          + lab.drsUri());
      Matcher signature = Pattern.compile("(?m)^signature (\\S+)$").matcher(out);
      assertThat(signature.find()).as(out).isTrue();
      Signature v = Signature.getInstance(key.algorithm().jcaSignatureAlgorithm());
      v.initVerify(key.publicKey());
      v.update(challenge.getBytes(StandardCharsets.UTF_8));
      assertThat(v.verify(Base64.getDecoder().decode(signature.group(1)))).as("the signature verifies").isTrue();
      assertThat(lab.keyService().registration(HexFormat.of().parseHex(key.keyIdHex()))).as("registered").isPresent();

      // the application's binding (slf4j-simple, on stderr) logs its lines and keytrust's, alone
      assertThat(err).contains("INFO dev.example.embedding.Main - provisioning " + USER)
          .contains("INFO dev.keytrust.").doesNotContain("SLF4J");
      assertThat(out + err).doesNotContain(PIN);
    }
  }

  @Test
  void theExampleDeclaresTheVersionsOfTheRootPom() throws IOException {
    Map<String, String> rootProperties = properties(Files.readString(root.resolve("pom.xml")));
    Map<String, String> exampleProperties = properties(Files.readString(root.resolve("examples/embedding/pom.xml")));
    assertThat(exampleProperties.get("keytrust.version")).isEqualTo(version);
    for (String name : List.of("slf4j.version", "compiler-plugin.version", "enforcer.version", "dependency-plugin.version")) {
      assertThat(exampleProperties.get(name)).as(name + " in examples/embedding/pom.xml").isNotNull()
          .isEqualTo(rootProperties.get(name));
    }
  }

  // ---- the nested Maven ----------------------------------------------------------------------------

  /** Runs Maven in {@code dir} with this test's local repository and settings; fails with the log's end. */
  private static void mvn(Path dir, String log, String... args) throws Exception {
    String home = System.getProperty("keytrust.maven.home", "");
    String mvn = home.isEmpty() || home.startsWith("${") ? "mvn" : Path.of(home, "bin", "mvn").toString();
    List<String> cmd = new ArrayList<>(List.of(mvn, "-B", "-Dstyle.color=never", "-Dmaven.repo.local=" + repository,
        "-gs", settings.toString()));
    if (System.getProperty("keytrust.maven.offline", "").equals("offline=true")) {
      cmd.add("-o");
      cmd.add("-Daether.offline.protocols=file"); // the seed repository is still read
    }
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(work.resolve(log).toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    p.getOutputStream().close();
    waitFor(p, "mvn " + String.join(" ", args));
    List<String> lines = Files.readAllLines(work.resolve(log));
    assertThat(p.exitValue()).as("%s in %s; the end of %s:%n%s", String.join(" ", cmd), dir, work.resolve(log),
        String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()))).isZero();
  }

  /** Waits for a process of this test; a hang guard only (30 min), which kills it and its children. */
  private static void waitFor(Process p, String what) throws InterruptedException {
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(what + " did not end in 30 minutes");
    }
  }

  /**
   * Global settings for the nested builds: this build's local repository as a read-only remote one
   * (releases; keytrust's snapshots are never taken from it). The user's own settings (mirrors,
   * proxies) still apply.
   */
  private static Path writeSeedSettings(Path file, Path seed) throws IOException {
    String repository = """
              <id>keytrust-seed</id>
              <url>%s</url>
              <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
              <snapshots><enabled>false</enabled></snapshots>
        """.formatted(seed.toUri());
    return Files.writeString(file, """
        <settings>
          <profiles>
            <profile>
              <id>keytrust-seed</id>
              <repositories><repository>
        %s      </repository></repositories>
              <pluginRepositories><pluginRepository>
        %s      </pluginRepository></pluginRepositories>
            </profile>
          </profiles>
          <activeProfiles><activeProfile>keytrust-seed</activeProfile></activeProfiles>
        </settings>
        """.formatted(repository, repository));
  }

  // ---- the footprint -------------------------------------------------------------------------------

  /**
   * Every jar keytrust puts on an application's runtime class path (the example's own slf4j-simple
   * left out), with its size, and the total, as a Markdown table.
   */
  static String footprintTable(List<Path> jars) throws IOException {
    StringBuilder t = new StringBuilder("| Jar (runtime class path) | Size |\n|---|---:|\n");
    long total = 0;
    int n = 0;
    for (Path jar : jars.stream().sorted(Comparator.comparing(EmbeddingAgentTest::coordinates)).toList()) {
      String coordinates = coordinates(jar);
      if (coordinates.startsWith("org.slf4j:slf4j-simple:")) {
        continue;
      }
      long size = Files.size(jar);
      total += size;
      n++;
      t.append("| `").append(coordinates).append("` | ").append(kib(size)).append(" |\n");
    }
    t.append("| **").append(n).append(" jars** | **").append(String.format(Locale.ROOT, "%.1f MiB", total / 1048576.0))
        .append("** |\n");
    return t.toString();
  }

  /** {@code group:artifact:version} of a jar in the local repository, from its path. */
  static String coordinates(Path jar) {
    Path relative = repository.relativize(jar);
    int n = relative.getNameCount();
    String group = relative.subpath(0, n - 3).toString().replace(java.io.File.separatorChar, '.');
    return group + ":" + relative.getName(n - 3) + ":" + relative.getName(n - 2);
  }

  private static String kib(long bytes) {
    return String.format(Locale.ROOT, "%,d KiB", (bytes + 512) / 1024);
  }

  // ---- files ---------------------------------------------------------------------------------------

  private static Map<String, String> properties(String pom) {
    Map<String, String> p = new LinkedHashMap<>();
    Matcher section = Pattern.compile("(?s)<properties>(.*?)</properties>").matcher(pom);
    if (section.find()) {
      Matcher m = Pattern.compile("<([A-Za-z0-9.-]+)>([^<]*)</\\1>").matcher(section.group(1));
      while (m.find()) {
        p.put(m.group(1), m.group(2).trim());
      }
    }
    return p;
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    assertThat(value).as("system property %s (set by the simulator-tests pom)", property).isNotBlank();
    return value;
  }

  private static void copyTree(Path from, Path to, java.util.function.Predicate<Path> include) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.filter(include).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
