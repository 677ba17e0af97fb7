package dev.keytrust.agent.cli;

import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the CLI takes from the process around it: standard input, the environment, the OS name and
 * the terminal. A record so tests can run the whole CLI in-process with their own values.
 *
 * @param stdin where {@code --pin-stdin} reads from
 * @param env environment variables (KEYTRUST_TPM)
 * @param osName the {@code os.name} property, for the platform's default TPM
 * @param console the terminal for masked PIN prompts, or null when there is none
 */
record CliEnvironment(InputStream stdin, Map<String, String> env, String osName, PinConsole console) {

  CliEnvironment {
    Objects.requireNonNull(stdin, "stdin");
    env = Map.copyOf(env);
    Objects.requireNonNull(osName, "osName");
  }

  /** The real process: System.in, System.getenv(), os.name and System.console(). */
  static CliEnvironment system() {
    return new CliEnvironment(System.in, System.getenv(), System.getProperty("os.name", ""), PinConsole.system());
  }

  Optional<String> getenv(String name) {
    return Optional.ofNullable(env.get(name));
  }
}
