package dev.keytrust.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code docs/NAME.md} that main sources, scripts, the README or the docs themselves name,
 * and every relative Markdown link of the README and the docs, is a file in the repository: a
 * message or a page that sends the reader to a page that does not exist is a bug (issue 16 item
 * 15: docs/mfa-and-pin.md was named in a user-facing push-MFA error but missing).
 */
class ReadmeAndDocsLinksTest {
  private static final Pattern DOC_REFERENCE = Pattern.compile("docs/([A-Za-z0-9._-]+\\.md)");
  private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)#\\s]+\\.md)(#[^)]*)?\\)");

  static Path root() {
    for (Path p : List.of(Path.of(".."), Path.of("."))) {
      if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new AssertionError("the repository root (README.md, docs/) not found from " + Path.of("").toAbsolutePath());
  }

  /** Main sources and resources of every module, the scripts, the launcher, the README and the docs. */
  static List<Path> sources(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(Files::isDirectory).toList()) {
        Path main = module.resolve("src/main");
        if (Files.isDirectory(main)) {
          try (Stream<Path> s = Files.walk(main)) {
            s.filter(Files::isRegularFile).forEach(files::add);
          }
        }
      }
    }
    for (String dir : List.of("scripts", "docs")) {
      try (Stream<Path> s = Files.walk(root.resolve(dir))) {
        s.filter(Files::isRegularFile).forEach(files::add);
      }
    }
    files.add(root.resolve("README.md"));
    files.add(root.resolve("keytrust"));
    return files;
  }

  private static String text(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (MalformedInputException binary) {
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void everyNamedDocsPageExists() throws Exception {
    Path root = root();
    Set<String> missing = new TreeSet<>();
    int references = 0;
    for (Path file : sources(root)) {
      Matcher m = DOC_REFERENCE.matcher(text(file));
      while (m.find()) {
        references++;
        if (!Files.isRegularFile(root.resolve("docs").resolve(m.group(1)))) {
          missing.add("docs/" + m.group(1) + " (named in " + root.relativize(file) + ")");
        }
      }
    }
    assertThat(references).as("docs/*.md references found").isGreaterThan(10);
    assertThat(missing).as("pages that are named but do not exist").isEmpty();
  }

  @Test
  void everyRelativeMarkdownLinkOfTheReadmeAndTheDocsResolves() throws Exception {
    Path root = root();
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    try (Stream<Path> s = Files.list(root.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
    }
    Set<String> broken = new TreeSet<>();
    for (Path page : pages) {
      Matcher m = MARKDOWN_LINK.matcher(text(page));
      while (m.find()) {
        String target = m.group(1);
        if (target.contains("://")) {
          continue;
        }
        if (!Files.isRegularFile(page.getParent().resolve(target).normalize())) {
          broken.add(root.relativize(page) + " -> " + target);
        }
      }
    }
    assertThat(broken).as("relative Markdown links to missing pages").isEmpty();
  }

  @Test
  void theMfaAndPinPageNamesOnlyClassesThatExist() throws Exception {
    Path root = root();
    String page = text(root.resolve("docs/mfa-and-pin.md"));
    Matcher m = Pattern.compile("`((?:Mfa|Totp|Push|Pin)[A-Za-z]*)[`.(]").matcher(page);
    Set<String> unknown = new TreeSet<>();
    Path agent = root.resolve("provisioning-agent/src/main/java/dev/keytrust/agent");
    while (m.find()) {
      String name = m.group(1);
      if (!Files.exists(agent.resolve("mfa/" + name + ".java")) && !Files.exists(agent.resolve("pin/" + name + ".java"))
          && !Files.exists(agent.resolve("cli/" + name + ".java"))) {
        unknown.add(name);
      }
    }
    assertThat(unknown).as("classes docs/mfa-and-pin.md names that are not in mfa/, pin/ or cli/").isEmpty();
  }
}
