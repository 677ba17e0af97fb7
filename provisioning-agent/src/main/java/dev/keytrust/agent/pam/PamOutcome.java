package dev.keytrust.agent.pam;

import dev.keytrust.error.ErrorCode;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@code keytrust pam-auth} run ended: the PAM result, one line of reason and the error code
 * when it failed. Holds no secret.
 *
 * @param result the PAM result (its number is the exit code)
 * @param reason what happened and what to do, one line
 * @param code the error's stable code; empty on success
 */
public record PamOutcome(PamResult result, String reason, Optional<ErrorCode> code) {
  public PamOutcome {
    Objects.requireNonNull(result, "result");
    reason = oneLine(Objects.requireNonNull(reason, "reason"));
    Objects.requireNonNull(code, "code");
  }

  static PamOutcome success(String reason) {
    return new PamOutcome(PamResult.SUCCESS, reason, Optional.empty());
  }

  static PamOutcome failure(PamResult result, String reason, ErrorCode code) {
    return new PamOutcome(result, reason, Optional.of(code));
  }

  /** The line for pam_exec's {@code stdout}: {@code keytrust: <result>: <reason> [<code>]}. */
  public String line() {
    return "keytrust: " + result.word() + ": " + reason + code.map(c -> " [" + c.id() + "]").orElse("");
  }

  private static String oneLine(String s) {
    return s.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
