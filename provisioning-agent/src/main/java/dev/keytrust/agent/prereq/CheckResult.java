package dev.keytrust.agent.prereq;

import java.util.Objects;

/**
 * The outcome of one prerequisite line.
 *
 * @param id the line
 * @param answer Yes, No or Not Tested, as the line prints it
 * @param blocking true when this line stops provisioning. For a requirement that is exactly a No;
 *     the two trust-policy lines print the policy's state instead, so there a No does not block,
 *     and a Yes of the certificate-trust line does (keytrust provisions key trust only)
 * @param reason why, in words: facts, settings and their origins, what to do
 */
public record CheckResult(PrerequisiteId id, Answer answer, boolean blocking, String reason) {
  public CheckResult {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(reason, "reason");
    if (answer == Answer.NOT_TESTED && blocking) {
      throw new IllegalArgumentException("a line that was not tested cannot block: " + id);
    }
  }

  /** A requirement line: Yes passes, No blocks, Not Tested does not apply. */
  static CheckResult requirement(PrerequisiteId id, Answer answer, String reason) {
    return new CheckResult(id, answer, answer == Answer.NO, reason);
  }
}
