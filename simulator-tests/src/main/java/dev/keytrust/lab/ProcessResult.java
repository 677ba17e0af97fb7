package dev.keytrust.lab;

import java.util.List;

/**
 * What an external command did.
 *
 * @param command the program and its arguments, as run (never contains a secret)
 * @param exitCode the process exit code
 * @param stdout standard output, decoded as UTF-8
 * @param stderr standard error, decoded as UTF-8
 */
public record ProcessResult(List<String> command, int exitCode, String stdout, String stderr) {

  public ProcessResult {
    command = List.copyOf(command);
  }

  /** True when the exit code is 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** The command as one shell-like line, for messages. */
  public String commandLine() {
    return String.join(" ", command);
  }
}
