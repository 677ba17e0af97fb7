package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The code in the README's "Use keytrust as a library" is code that compiles and runs: each Java
 * block is in the embedding example (which ArchitectureTest compiles and EmbeddingAgentTest builds
 * and runs) and in the Javadoc of the class it shows, and the BOM import is the example's. Lines are
 * compared without their indentation.
 */
class ReadmeLibrarySnippetsTest {
  private static final Path ROOT = Path.of(System.getProperty("keytrust.root", ".."));
  private static final Path AGENT = ROOT.resolve("examples/embedding/src/main/java/dev/example/embedding/EmbeddingAgent.java");

  @Test
  void theProvisioningCodeIsTheExamplesAndProvisioningFlowsJavadoc() throws IOException {
    List<String> snippet = snippet("java", "ProvisioningFlow flow = ProvisioningFlow.builder()");
    assertThat(Collections.indexOfSubList(lines(Files.readString(AGENT)), snippet)).as("in EmbeddingAgent").isNotNegative();
    assertThat(Collections.indexOfSubList(javadoc(ROOT.resolve(
        "provisioning-agent/src/main/java/dev/keytrust/agent/flow/ProvisioningFlow.java")), snippet))
        .as("in ProvisioningFlow's Javadoc").isNotNegative();
  }

  @Test
  void theSigningCodeIsTheExamplesAndHelloKeysJavadoc() throws IOException {
    List<String> snippet = snippet("java", "keys.sign(user, challenge, pin)");
    assertThat(Collections.indexOfSubList(lines(Files.readString(AGENT)), snippet)).as("in EmbeddingAgent").isNotNegative();
    assertThat(Collections.indexOfSubList(javadoc(ROOT.resolve("tpm-core/src/main/java/dev/keytrust/key/HelloKeys.java")),
        snippet)).as("in HelloKeys' Javadoc").isNotNegative();
  }

  @Test
  void theBomImportIsTheExamples() throws IOException {
    List<String> snippet = snippet("xml", "<artifactId>keytrust-bom</artifactId>");
    assertThat(Collections.indexOfSubList(lines(Files.readString(ROOT.resolve("examples/embedding/pom.xml"))), snippet))
        .as("in examples/embedding/pom.xml").isNotNegative();
  }

  /** The code block of {@code language} in the README's library section that contains {@code marker}. */
  private static List<String> snippet(String language, String marker) throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf("\n## Use keytrust as a library\n");
    assertThat(start).as("the README's section 'Use keytrust as a library'").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Matcher block = Pattern.compile("(?s)```" + language + "\n(.*?)```").matcher(section);
    while (block.find()) {
      if (block.group(1).contains(marker)) {
        return lines(block.group(1));
      }
    }
    throw new AssertionError("no ```" + language + " block with '" + marker + "' in the README's library section");
  }

  /** The lines of the {@code <pre>{@code ...}</pre>} blocks of a source file's comments. */
  private static List<String> javadoc(Path source) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(source)) {
      String l = line.strip();
      if (l.startsWith("*")) {
        out.add(l.substring(1).strip());
      }
    }
    return out;
  }

  private static List<String> lines(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
