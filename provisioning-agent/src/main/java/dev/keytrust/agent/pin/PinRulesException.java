package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.util.List;

/**
 * A PIN that does not meet the policy: PIN_RULES_UNMET (KT-1401, bad input). The message lists every
 * unmet rule ({@link PinCheck#describe()}); {@link #violations()} gives them typed, for callers that
 * show them their own way. Neither holds the PIN.
 */
public final class PinRulesException extends AgentException {
  private static final long serialVersionUID = 1L;
  private final transient PinCheck check;

  public PinRulesException(PinCheck check) {
    super(AgentErrorCode.PIN_RULES_UNMET, check.describe() + "\nChoose a PIN that meets every rule.");
    if (check.passed()) {
      throw new IllegalArgumentException("a PIN that passed has no unmet rules");
    }
    this.check = check;
  }

  /** The check that failed. */
  public PinCheck check() {
    return check;
  }

  /** Every unmet rule. */
  public List<PinViolation> violations() {
    return check.violations();
  }
}
