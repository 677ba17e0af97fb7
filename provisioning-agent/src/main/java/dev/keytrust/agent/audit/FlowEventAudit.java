package dev.keytrust.agent.audit;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowListener;
import dev.keytrust.agent.flow.StepEvent;
import dev.keytrust.agent.flow.StepId;
import dev.keytrust.agent.flow.StepOutcome;
import java.util.Set;

/**
 * The flow's step events of one user's run as audit events: every step that ended as {@link
 * AuditEventId#STEP}, and the ones that mean more as their own event: the prerequisite result (358,
 * 360), a registration added, removed or left in place, a key the TPM lost, a wrong PIN, a lockout.
 */
final class FlowEventAudit implements FlowListener {
  private static final Set<StepId> REMOVALS = Set.of(StepId.UNREGISTER, StepId.UNREGISTER_OLD, StepId.UNREGISTER_LOST);

  private final AuditTrail trail;
  private final String user;

  FlowEventAudit(AuditTrail trail, String user) {
    this.trail = trail;
    this.user = user;
  }

  @Override
  public void onEvent(StepEvent e) {
    trail.runStarted(user, e.runId());
    if (e.outcome() == StepOutcome.STARTED) {
      return;
    }
    String code = e.error().map(c -> c.id()).orElse(null);
    trail.record(base(AuditEventId.STEP, e).withError(code).withDetail(e.detail()));
    AuditEventId special = special(e);
    if (special != null) {
      trail.record(base(special, e).withError(code).withDetail(e.detail()));
    }
  }

  private AuditEvent base(AuditEventId id, StepEvent e) {
    return trail.event(id, user).withOperation(e.operation().id())
        .withStep(e.step().id(), e.outcome().name(), e.duration().toMillis()).withRun(e.runId());
  }

  private static AuditEventId special(StepEvent e) {
    boolean ok = e.outcome() == StepOutcome.SUCCEEDED;
    if (e.outcome() == StepOutcome.FAILED) {
      AuditEventId pin = AuditTrail.pinEvent(e.errorCode());
      if (pin != null) {
        return pin;
      }
      if (e.step() == StepId.PREREQUISITES && e.errorCode() == AgentErrorCode.PREREQUISITES_NOT_MET) {
        return AuditEventId.PREREQUISITES_NOT_MET;
      }
      if (REMOVALS.contains(e.step()) && AuditTrail.removalUnsupported(e.errorCode())) {
        return AuditEventId.REGISTRATION_REMAINS;
      }
      return null;
    }
    if (ok && e.step() == StepId.PREREQUISITES) {
      return AuditEventId.PREREQUISITES_MET;
    }
    if (ok && e.step() == StepId.REGISTER) {
      return AuditEventId.REGISTRATION_ADDED;
    }
    if (ok && REMOVALS.contains(e.step())) {
      return AuditEventId.REGISTRATION_REMOVED;
    }
    if (ok && e.step() == StepId.DELETE_LOST_KEY) {
      return AuditEventId.KEY_LOST;
    }
    return null;
  }
}
