package dev.keytrust.agent.prereq;

import dev.keytrust.agent.policy.MachinePolicySource;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of the prerequisite checks: every line in {@link PrerequisiteId} order, the kind of
 * policy that governs, and the verdict. Provisioning starts only on {@link
 * PreReqResult#WILL_PROVISION}; {@link #requireWillProvision()} is the guard the flow calls. Text
 * and Map forms: {@link PrerequisiteRenderer}.
 *
 * @param checks one result per {@link PrerequisiteId}, in that order
 * @param machinePolicySource none, group policy or MDM ("Machine is governed by ... policy")
 * @param trigger what started the check
 */
public record PrerequisiteReport(
    List<CheckResult> checks, MachinePolicySource machinePolicySource, ProvisioningTrigger trigger) {

  public PrerequisiteReport {
    checks = List.copyOf(checks);
    PrerequisiteId[] ids = PrerequisiteId.values();
    if (checks.size() != ids.length) {
      throw new IllegalArgumentException("a report has one result per line, got " + checks.size());
    }
    for (int i = 0; i < ids.length; i++) {
      if (checks.get(i).id() != ids[i]) {
        throw new IllegalArgumentException("line " + i + " must be " + ids[i]);
      }
    }
    Objects.requireNonNull(machinePolicySource, "machinePolicySource");
    Objects.requireNonNull(trigger, "trigger");
  }

  /** The result of one line. */
  public CheckResult check(PrerequisiteId id) {
    return checks.get(id.ordinal());
  }

  /** The lines that stop provisioning, in order. */
  public List<CheckResult> blockers() {
    return checks.stream().filter(CheckResult::blocking).toList();
  }

  /** WillProvision when no line blocks, WillNotProvision otherwise. */
  public PreReqResult result() {
    for (CheckResult c : checks) {
      if (c.blocking()) {
        return PreReqResult.WILL_NOT_PROVISION;
      }
    }
    return PreReqResult.WILL_PROVISION;
  }

  /** True when provisioning may start. */
  public boolean willProvision() {
    return result() == PreReqResult.WILL_PROVISION;
  }

  /**
   * The guard before provisioning.
   *
   * @throws PrerequisitesNotMetException (KT-1203) naming every blocking line and its reason
   */
  public void requireWillProvision() throws PrerequisitesNotMetException {
    if (!willProvision()) {
      throw new PrerequisitesNotMetException(this);
    }
  }
}
