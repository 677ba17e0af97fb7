package dev.keytrust.agent.pin;

import java.util.Objects;

/**
 * One PIN rule a PIN does not meet. Each kind is a record; {@link #id()} is a stable machine name
 * (for JSON output and scripts) and {@link #message()} a sentence for the user. Neither ever holds
 * the PIN, a character of it or its length: only the rule.
 */
public sealed interface PinViolation
    permits PinViolation.TooShort,
        PinViolation.TooLong,
        PinViolation.MissingClass,
        PinViolation.DisallowedClass,
        PinViolation.UnsupportedCharacter,
        PinViolation.SimplePin,
        PinViolation.Reused {

  /** Stable name of the rule, e.g. {@code too-short}, {@code class-required}. */
  String id();

  /** What the user has to change, e.g. "Use at least 6 characters." */
  String message();

  /** Shorter than the policy's minimum length. */
  record TooShort(int minLength) implements PinViolation {
    @Override
    public String id() {
      return "too-short";
    }

    @Override
    public String message() {
      return "Use at least " + minLength + " characters.";
    }
  }

  /** Longer than the policy's maximum length. */
  record TooLong(int maxLength) implements PinViolation {
    @Override
    public String id() {
      return "too-long";
    }

    @Override
    public String message() {
      return "Use at most " + maxLength + " characters.";
    }
  }

  /** The policy requires a class the PIN lacks. */
  record MissingClass(CharClass charClass) implements PinViolation {
    public MissingClass {
      Objects.requireNonNull(charClass, "charClass");
    }

    @Override
    public String id() {
      return "class-required";
    }

    @Override
    public String message() {
      return "Include at least one of the " + charClass.label() + " (" + charClass.members() + ").";
    }
  }

  /** The policy forbids a class the PIN has. */
  record DisallowedClass(CharClass charClass) implements PinViolation {
    public DisallowedClass {
      Objects.requireNonNull(charClass, "charClass");
    }

    @Override
    public String id() {
      return "class-not-allowed";
    }

    @Override
    public String message() {
      return "Do not use " + charClass.label() + " (" + charClass.members() + "): this device's policy does not"
          + " allow them.";
    }
  }

  /** A character in no class: a space, a control character or any non-ASCII character. */
  record UnsupportedCharacter() implements PinViolation {
    @Override
    public String id() {
      return "unsupported-character";
    }

    @Override
    public String message() {
      return "Use only digits, the letters a-z and A-Z, and the special characters "
          + CharClass.SPECIAL_CHARACTERS + " (no spaces, no accented or other non-ASCII letters).";
    }
  }

  /** An all-digit PIN whose digits step by one constant amount (modulo 10), like 1111, 1234 or 9630. */
  record SimplePin() implements PinViolation {
    @Override
    public String id() {
      return "simple-pattern";
    }

    @Override
    public String message() {
      return "Avoid a simple pattern: the digits may not all step by the same amount, as in 1111, 1234, 1357"
          + " or 9630.";
    }
  }

  /** The PIN is one of the last {@code history} PINs of the user (the current PIN counts). */
  record Reused(int history) implements PinViolation {
    @Override
    public String id() {
      return "reused";
    }

    @Override
    public String message() {
      return history == 1
          ? "Choose a PIN different from your current PIN."
          : "Choose a PIN you have not used recently: the policy forbids your current PIN and the "
              + (history - 1) + " before it.";
    }
  }
}
