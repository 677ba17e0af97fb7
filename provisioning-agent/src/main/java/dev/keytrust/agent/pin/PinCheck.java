package dev.keytrust.agent.pin;

import java.util.List;

/**
 * The result of {@link PinRules#check}: every rule the PIN does not meet, in a fixed order
 * (length, character classes, unsupported characters, simple pattern, history). Empty means the PIN
 * is acceptable.
 *
 * @param violations the unmet rules
 */
public record PinCheck(List<PinViolation> violations) {

  public PinCheck {
    violations = List.copyOf(violations);
  }

  /** True when the PIN meets every rule. */
  public boolean passed() {
    return violations.isEmpty();
  }

  /**
   * The unmet rules for the user, one per line, or an empty string when the PIN passed:
   *
   * <pre>
   * The PIN does not meet 2 rules of this device's PIN policy:
   *   - Use at least 6 characters.
   *   - Include at least one of the upper-case letters (A-Z).
   * </pre>
   */
  public String describe() {
    if (violations.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("The PIN does not meet ")
        .append(violations.size() == 1 ? "1 rule" : violations.size() + " rules")
        .append(" of this device's PIN policy:");
    for (PinViolation v : violations) {
      sb.append("\n  - ").append(v.message());
    }
    return sb.toString();
  }

  /**
   * Throws unless the PIN passed.
   *
   * @throws PinRulesException PIN_RULES_UNMET (bad input) whose message is {@link #describe()} plus
   *     what to do
   */
  public void requirePassed() throws PinRulesException {
    if (!passed()) {
      throw new PinRulesException(this);
    }
  }
}
