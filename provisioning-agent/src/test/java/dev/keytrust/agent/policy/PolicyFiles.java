package dev.keytrust.agent.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes policy files into a test's policy directory, in the layout of docs/policy.md. */
final class PolicyFiles {

  static final String USER = "alice";

  private PolicyFiles() {}

  /** Writes {@code lines} (one per element) as the file of {@code layer} for {@link #USER}. */
  static Path write(Path dir, PolicyLayer layer, String... lines) throws IOException {
    Path file = layer.scope() == PolicyScope.COMPUTER
        ? dir.resolve("computer").resolve(layer.fileName())
        : dir.resolve("users").resolve(USER).resolve(layer.fileName());
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }
}
