package dev.keytrust.agent.policy;

import dev.keytrust.error.ErrorCode;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A problem found while reading policy files that did not stop resolution: a bad line, an unknown
 * or device-only setting, an out-of-range value, an invalid PIN length pair, or an MDM value that
 * group policy overrides. The value concerned is not applied; the rest of the file still is.
 *
 * @param severity {@link Severity#ERROR} when a configured value was rejected, {@link
 *     Severity#WARNING} when a valid value lost to precedence in a way an administrator should know
 * @param code the stable error code (KT-11xx)
 * @param file the policy file concerned
 * @param line the 1-based line, or 0 when the problem is not on one line
 * @param setting the setting's name as written (or canonical), empty when the line has none
 * @param message the whole explanation: file, line, setting, value, allowed values, what happens
 */
public record PolicyDiagnostic(
    Severity severity, ErrorCode code, Path file, int line, String setting, String message) {

  /** How bad a diagnostic is. */
  public enum Severity {
    /** A configured value was rejected and is not applied. */
    ERROR,
    /** Everything valid was applied, but sources conflict. */
    WARNING
  }

  public PolicyDiagnostic {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(setting, "setting");
    Objects.requireNonNull(message, "message");
  }

  /** The setting name, when the diagnostic concerns one. */
  public Optional<String> settingName() {
    return setting.isEmpty() ? Optional.empty() : Optional.of(setting);
  }

  /** One line for a log or a terminal: {@code ERROR KT-1107: <message>}. */
  @Override
  public String toString() {
    return severity + " " + code.id() + ": " + message;
  }
}
