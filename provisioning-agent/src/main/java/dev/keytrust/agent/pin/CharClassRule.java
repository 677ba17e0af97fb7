package dev.keytrust.agent.pin;

/**
 * What a PIN policy says about one character class (digits, lower-case letters, upper-case letters,
 * special characters). The codes are the PassportForWork PINComplexity values: 0 allowed, 1 required
 * (at least one), 2 not allowed.
 */
public enum CharClassRule {
  /** 0: the class may appear. */
  ALLOWED(0),
  /** 1: at least one character of the class must appear. */
  REQUIRED(1),
  /** 2: no character of the class may appear. */
  DISALLOWED(2);

  private final int code;

  CharClassRule(int code) {
    this.code = code;
  }

  /** The PassportForWork value: 0, 1 or 2. */
  public int code() {
    return code;
  }

  /**
   * The rule for a PassportForWork value.
   *
   * @throws IllegalArgumentException when {@code code} is not 0, 1 or 2 (policy parsing reports such
   *     values as diagnostics before they reach here)
   */
  public static CharClassRule fromCode(int code) {
    for (CharClassRule rule : values()) {
      if (rule.code == code) {
        return rule;
      }
    }
    throw new IllegalArgumentException("a character-class rule is 0, 1 or 2, not " + code);
  }
}
