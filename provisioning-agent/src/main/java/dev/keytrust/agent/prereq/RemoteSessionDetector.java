package dev.keytrust.agent.prereq;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds out whether this process runs in a remote session on Linux, in this order:
 *
 * <ol>
 *   <li>{@code SSH_CONNECTION}, {@code SSH_CLIENT} or {@code SSH_TTY} set: remote (an SSH login);
 *   <li>{@code loginctl show-session <XDG_SESSION_ID or self> -p Remote}: {@code Remote=yes}
 *       remote, {@code Remote=no} local (logind knows remote desktop and SSH sessions);
 *   <li>otherwise local: nothing says the session is remote.
 * </ol>
 *
 * The environment and the command runner are injected, so tests give their own.
 */
public final class RemoteSessionDetector {

  private static final List<String> SSH_VARIABLES = List.of("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY");

  private final Map<String, String> env;
  private final CommandRunner runner;

  /** Runs a command and returns its standard output, or empty when it cannot run or fails. */
  @FunctionalInterface
  public interface CommandRunner {
    Optional<String> run(List<String> command);
  }

  public RemoteSessionDetector(Map<String, String> env, CommandRunner runner) {
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  /** A detector over this process's environment that runs loginctl with a 5 second limit. */
  public static RemoteSessionDetector forThisProcess() {
    return forEnvironment(System.getenv());
  }

  /** A detector over {@code env} that runs loginctl with a 5 second limit. */
  public static RemoteSessionDetector forEnvironment(Map<String, String> env) {
    return new RemoteSessionDetector(env, new ProcessCommandRunner(Duration.ofSeconds(5)));
  }

  /** Detects the session; never fails (no evidence of a remote session means local). */
  public SessionInfo detect() {
    for (String name : SSH_VARIABLES) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        return SessionInfo.remote(name + " is set (SSH session)");
      }
    }
    String id = env.getOrDefault("XDG_SESSION_ID", "");
    if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
      id = "self";
    }
    Optional<String> out = runner.run(List.of("loginctl", "show-session", id, "-p", "Remote"));
    if (out.isPresent()) {
      for (String line : out.get().split("\\R")) {
        String l = line.strip();
        if (l.equals("Remote=yes")) {
          return SessionInfo.remote("loginctl: session " + id + " has Remote=yes");
        }
        if (l.equals("Remote=no")) {
          return SessionInfo.local("loginctl: session " + id + " has Remote=no");
        }
      }
    }
    return SessionInfo.local("no SSH variables set"
        + (out.isPresent() ? "; loginctl did not say Remote=yes|no" : "; no logind session answer"));
  }
}
