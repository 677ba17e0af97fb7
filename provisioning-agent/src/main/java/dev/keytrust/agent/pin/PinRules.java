package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a PIN against a {@link PinPolicy} and reports every unmet rule at once:
 *
 * <ol>
 *   <li>length: at least {@link PinPolicy#minLength()}, at most {@link PinPolicy#maxLength()}
 *       characters ({@code char}s; a character outside the classes below counts too);
 *   <li>each {@link CharClass}: {@link CharClassRule#REQUIRED} needs one character of the class,
 *       {@link CharClassRule#DISALLOWED} allows none;
 *   <li>no character outside the four classes (a space, a control or non-ASCII character), whatever
 *       the policy says;
 *   <li>the simple-PIN rule Windows applies to all-digit PINs (provisioning-flow spec §1.3): a PIN of
 *       digits only is refused when the step between consecutive digits, {@code (10 + d[i+1] - d[i])
 *       % 10}, is the same across the whole PIN. This refuses exactly 100 PINs of each length (10
 *       first digits times 10 steps); it never applies to a PIN with any non-digit;
 *   <li>history (with a {@link PinHistory}): not one of the last {@link PinPolicy#history()} PINs,
 *       the current PIN included.
 * </ol>
 *
 * <p>The PIN is only read (through a copy of its characters zeroed after the check), never kept.
 */
public final class PinRules {

  private PinRules() {}

  /** Checks every rule except history (for a policy with {@code history = 0}, that is all of them). */
  public static PinCheck check(Pin pin, PinPolicy policy) {
    Objects.requireNonNull(pin, "pin");
    Objects.requireNonNull(policy, "policy");
    return pin.withChars(InsecureSecretAccess.get(), chars -> check(chars, policy));
  }

  private static PinCheck check(char[] pin, PinPolicy policy) {
    List<PinViolation> violations = new ArrayList<>();
    if (pin.length < policy.minLength()) {
      violations.add(new PinViolation.TooShort(policy.minLength()));
    }
    if (pin.length > policy.maxLength()) {
      violations.add(new PinViolation.TooLong(policy.maxLength()));
    }
    Set<CharClass> present = EnumSet.noneOf(CharClass.class);
    boolean unsupported = false;
    for (char c : pin) {
      var cls = CharClass.of(c);
      if (cls.isPresent()) {
        present.add(cls.get());
      } else {
        unsupported = true;
      }
    }
    for (CharClass cls : CharClass.values()) {
      if (cls.ruleIn(policy) == CharClassRule.REQUIRED && !present.contains(cls)) {
        violations.add(new PinViolation.MissingClass(cls));
      }
    }
    for (CharClass cls : CharClass.values()) {
      if (cls.ruleIn(policy) == CharClassRule.DISALLOWED && present.contains(cls)) {
        violations.add(new PinViolation.DisallowedClass(cls));
      }
    }
    if (unsupported) {
      violations.add(new PinViolation.UnsupportedCharacter());
    }
    if (isSimple(pin)) {
      violations.add(new PinViolation.SimplePin());
    }
    return new PinCheck(violations);
  }

  /**
   * Checks every rule, history included: the PIN may not be one of the last {@code
   * policy.history()} PINs kept in {@code history}. Costs one Argon2id derivation when the policy
   * has a history and the user has a stored one.
   *
   * @throws AgentException PIN_HISTORY_IO when the history file cannot be read
   */
  public static PinCheck check(Pin pin, PinPolicy policy, PinHistory history) throws AgentException {
    PinCheck basic = check(pin, policy);
    Objects.requireNonNull(history, "history");
    if (policy.history() == 0 || !history.contains(pin, policy.history())) {
      return basic;
    }
    List<PinViolation> all = new ArrayList<>(basic.violations());
    all.add(new PinViolation.Reused(policy.history()));
    return new PinCheck(all);
  }

  /**
   * The simple-PIN rule of §1.3: true for a PIN of two or more digits (0-9 only) whose consecutive
   * digits all differ by the same step modulo 10 (1111, 1234, 1357, 9630, 7036); false for anything
   * with a non-digit, for one digit, and when the step changes anywhere (1231, 1113, 99875).
   */
  public static boolean isSimple(char[] pin) {
    if (pin.length < 2) {
      return false;
    }
    for (char c : pin) {
      if (c < '0' || c > '9') {
        return false;
      }
    }
    int step = (10 + pin[1] - pin[0]) % 10;
    for (int i = 2; i < pin.length; i++) {
      if ((10 + pin[i] - pin[i - 1]) % 10 != step) {
        return false;
      }
    }
    return true;
  }
}
