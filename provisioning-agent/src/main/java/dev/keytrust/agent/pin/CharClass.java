package dev.keytrust.agent.pin;

import java.util.Optional;

/**
 * The four character classes of the PassportForWork PIN rules. A PIN character outside all four
 * (a space, a control character, any non-ASCII character such as {@code é}) is never accepted.
 */
public enum CharClass {
  /** {@code 0-9}. */
  DIGITS("digits", "0-9"),
  /** {@code a-z}. */
  LOWERCASE("lower-case letters", "a-z"),
  /** {@code A-Z}. */
  UPPERCASE("upper-case letters", "A-Z"),
  /** The 32 printable ASCII punctuation characters of {@link #SPECIAL_CHARACTERS}. */
  SPECIAL("special characters", CharClass.SPECIAL_CHARACTERS);

  /**
   * The special characters, as the policy documentation lists them: every printable ASCII
   * character that is neither a letter nor a digit, without the space.
   */
  public static final String SPECIAL_CHARACTERS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  private final String label;
  private final String members;

  CharClass(String label, String members) {
    this.label = label;
    this.members = members;
  }

  /** A readable name, e.g. "upper-case letters". */
  public String label() {
    return label;
  }

  /** The characters of the class, as a range ({@code 0-9}) or the full list for specials. */
  public String members() {
    return members;
  }

  /** The class of {@code c}, or empty for characters no PIN may hold. */
  public static Optional<CharClass> of(char c) {
    if (c >= '0' && c <= '9') {
      return Optional.of(DIGITS);
    }
    if (c >= 'a' && c <= 'z') {
      return Optional.of(LOWERCASE);
    }
    if (c >= 'A' && c <= 'Z') {
      return Optional.of(UPPERCASE);
    }
    if (c > ' ' && c < 0x7f) {
      return Optional.of(SPECIAL);
    }
    return Optional.empty();
  }

  /** What {@code policy} says about this class. */
  public CharClassRule ruleIn(PinPolicy policy) {
    return switch (this) {
      case DIGITS -> policy.digits();
      case LOWERCASE -> policy.lowercase();
      case UPPERCASE -> policy.uppercase();
      case SPECIAL -> policy.special();
    };
  }
}
