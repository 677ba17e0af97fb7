package dev.keytrust.agent.flow;

import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.policy.Setting;
import dev.keytrust.error.KeytrustException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Resolves the user's effective policy (GPO over MDM, user over computer) and reports its problems. */
final class PolicyStep implements FlowStep<PolicyStep.Input, PolicyStep.Output> {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyStep.class);

  /** @param user the user the policy is resolved for */
  record Input(String user) {
    Input {
      Objects.requireNonNull(user, "user");
    }
  }

  /** @param policy the effective policy */
  record Output(EffectivePolicy policy) {
    /** What the step's event says. */
    String summary() {
      return "governed by " + policy.machinePolicySource().windowsName() + " policy; UsePassportForWork "
          + policy.usePassportForWork() + ", RequireSecurityDevice " + policy.value(Setting.REQUIRE_SECURITY_DEVICE)
          + ", PIN length " + policy.pinPolicy().minLength() + ".." + policy.pinPolicy().maxLength()
          + (policy.diagnostics().isEmpty() ? ""
              : "; " + policy.diagnostics().size() + " problem(s) in the policy files (values not applied)");
    }
  }

  private final PolicyResolver policies;

  PolicyStep(PolicyResolver policies) {
    this.policies = Objects.requireNonNull(policies, "policies");
  }

  @Override
  public Output run(Input in) throws KeytrustException {
    EffectivePolicy p = policies.resolve(in.user());
    p.diagnostics().forEach(d -> LOG.warn("Policy: {}", d));
    return new Output(p);
  }
}
