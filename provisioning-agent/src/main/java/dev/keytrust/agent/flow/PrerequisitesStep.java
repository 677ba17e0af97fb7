package dev.keytrust.agent.flow;

import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.PrerequisiteChecker;
import dev.keytrust.agent.prereq.PrerequisiteReport;
import dev.keytrust.agent.prereq.ProvisioningTrigger;
import dev.keytrust.error.KeytrustException;
import java.util.Objects;

/** Checks the prerequisites (the event 358/360 report) and stops the flow when they are not met. */
final class PrerequisitesStep implements FlowStep<PrerequisitesStep.Input, PrerequisitesStep.Output> {

  /**
   * @param device what is known of the device and the user
   * @param policy the effective policy
   * @param trigger what started the run
   */
  record Input(DeviceContext device, EffectivePolicy policy, ProvisioningTrigger trigger) {
    Input {
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(trigger, "trigger");
    }
  }

  /** @param report the report; its result is WillProvision */
  record Output(PrerequisiteReport report) {
    String summary() {
      return report.result().dsregText();
    }
  }

  private final PrerequisiteChecker checker;

  PrerequisitesStep(PrerequisiteChecker checker) {
    this.checker = Objects.requireNonNull(checker, "checker");
  }

  /** @throws KeytrustException PREREQUISITES_NOT_MET with the report when they are not met */
  @Override
  public Output run(Input in) throws KeytrustException {
    PrerequisiteReport r = checker.check(in.device(), in.policy(), in.trigger());
    r.requireWillProvision();
    return new Output(r);
  }
}
