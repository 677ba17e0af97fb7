package dev.keytrust.agent.prereq;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;

/** Provisioning must not start: at least one prerequisite line blocks (KT-1203). */
public final class PrerequisitesNotMetException extends AgentException {
  private static final long serialVersionUID = 1L;

  private final transient PrerequisiteReport report;

  public PrerequisitesNotMetException(PrerequisiteReport report) {
    super(AgentErrorCode.PREREQUISITES_NOT_MET, message(report));
    this.report = report;
  }

  /** The report whose blocking lines stopped provisioning. */
  public PrerequisiteReport report() {
    return report;
  }

  private static String message(PrerequisiteReport report) {
    StringBuilder sb = new StringBuilder("Provisioning will not start:");
    for (CheckResult c : report.blockers()) {
      sb.append(' ').append(c.id().eventLine()).append(": ").append(c.answer().eventText())
          .append(" (").append(c.reason()).append(");");
    }
    sb.setLength(sb.length() - 1);
    return sb.append(". Fix these and sign in again, or run the prerequisite report for details")
        .toString();
  }
}
