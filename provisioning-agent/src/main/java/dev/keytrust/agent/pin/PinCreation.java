package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import java.util.Objects;

/**
 * Creates a new PIN through a {@link PinSource}: ask the PIN, check it against the policy (and the
 * history), ask the confirmation, and on unmet rules or a mismatch tell the user why and ask again,
 * up to {@link #maxAttempts()} times. Immutable; configure with the {@code with...} methods:
 *
 * <pre>{@code
 * try (Pin pin = PinCreation.forPolicy(policy).withHistory(history).create(source)) {
 *   ... create the key with pin ...
 *   history.record(pin, policy);
 * }
 * }</pre>
 *
 * <p>Every array read from the source is cleared before {@link #create} returns; every {@link Pin}
 * made from one is destroyed, except the one it returns. With a source that is not {@link PinSource#interactive() interactive} (stdin) the one PIN
 * read is its own confirmation, and the first unmet rule fails at once with the full list.
 */
public final class PinCreation {
  /** Attempts when not configured. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Most attempts allowed. */
  public static final int MAX_ATTEMPTS = 10;

  private final PinPolicy policy;
  private final PinHistory history;
  private final int maxAttempts;

  private PinCreation(PinPolicy policy, PinHistory history, int maxAttempts) {
    this.policy = policy;
    this.history = history;
    this.maxAttempts = maxAttempts;
  }

  /** A creation that enforces {@code policy} (every rule but history; add that with {@link #withHistory}). */
  public static PinCreation forPolicy(PinPolicy policy) {
    return new PinCreation(Objects.requireNonNull(policy, "policy"), null, DEFAULT_MAX_ATTEMPTS);
  }

  /**
   * A creation with no complexity rules, only the confirmation: for callers that have no policy (the
   * key commands); the key provider still checks the PIN's basic shape.
   */
  public static PinCreation confirmOnly() {
    return new PinCreation(null, null, DEFAULT_MAX_ATTEMPTS);
  }

  /** Also refuse the last {@code policy.history()} PINs kept in {@code history}. Needs a policy. */
  public PinCreation withHistory(PinHistory history) {
    if (policy == null) {
      throw new IllegalStateException("PIN history needs a policy: use forPolicy(policy)");
    }
    return new PinCreation(policy, Objects.requireNonNull(history, "history"), maxAttempts);
  }

  /** Ask at most {@code attempts} times (1..{@value #MAX_ATTEMPTS}). */
  public PinCreation withMaxAttempts(int attempts) {
    if (attempts < 1 || attempts > MAX_ATTEMPTS) {
      throw new IllegalArgumentException("PIN attempts must be 1.." + MAX_ATTEMPTS + ", got " + attempts);
    }
    return new PinCreation(policy, history, attempts);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Runs the dialogue.
   *
   * @return the new PIN, owned by the caller, who destroys it (try-with-resources)
   * @throws AgentException {@link PinRulesException} (PIN_RULES_UNMET, every unmet rule) or PIN_MISMATCH when the last
   *     allowed attempt failed that way; PIN_INVALID when input ended or nothing was entered on a
   *     one-shot source; PIN_HISTORY_IO when the history cannot be read; what the source throws
   */
  public Pin create(PinSource source) throws AgentException {
    Objects.requireNonNull(source, "source");
    AgentException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      char[] read = source.read(PinQuestion.NEW);
      if (read == null) {
        throw PinEntry.noPin();
      }
      Pin pin = null;
      boolean handedOut = false;
      try {
        AgentException problem;
        if (read.length == 0) {
          problem = new AgentException(CoreErrorCode.PIN_INVALID, "No PIN was entered: type a PIN and press Enter.");
        } else {
          try {
            pin = Pin.moveFrom(read);
            problem = problemWith(pin);
          } catch (AgentException e) {
            throw e;
          } catch (KeytrustException e) {
            problem = new AgentException(e.code(), e.getMessage(), e);
          }
        }
        if (problem == null && source.interactive()) {
          problem = confirm(source, pin);
        }
        if (problem == null) {
          handedOut = true;
          return pin;
        }
        last = problem;
        if (!source.interactive()) {
          throw problem;
        }
        int left = maxAttempts - attempt;
        if (left > 0) {
          source.tell(tellText(problem) + "\n" + (left == 1 ? "1 attempt left." : left + " attempts left."));
        }
      } finally {
        java.util.Arrays.fill(read, '\0');
        if (!handedOut && pin != null) {
          pin.destroy();
        }
      }
    }
    throw last;
  }

  /** The first reason to refuse {@code pin}, or null. */
  private AgentException problemWith(Pin pin) throws AgentException {
    if (policy == null) {
      return null;
    }
    PinCheck check = history == null ? PinRules.check(pin, policy) : PinRules.check(pin, policy, history);
    if (check.passed()) {
      return null;
    }
    return new PinRulesException(check);
  }

  private static AgentException confirm(PinSource source, Pin pin) throws AgentException {
    char[] confirmation = source.read(PinQuestion.CONFIRM);
    if (confirmation == null) {
      throw PinEntry.noPin();
    }
    boolean same;
    try {
      same = pin.withChars(InsecureSecretAccess.get(), chars -> sameChars(chars, confirmation));
    } finally {
      java.util.Arrays.fill(confirmation, '\0');
    }
    return same ? null : new AgentException(CoreErrorCode.PIN_MISMATCH,
        "The PIN and its confirmation differ: run the command again and type the same PIN twice.");
  }

  /** Compares two PINs in time that depends on their lengths only. */
  private static boolean sameChars(char[] a, char[] b) {
    if (a.length != b.length) {
      return false;
    }
    int diff = 0;
    for (int i = 0; i < a.length; i++) {
      diff |= a[i] ^ b[i];
    }
    return diff == 0;
  }

  private static String tellText(AgentException problem) {
    if (problem instanceof PinRulesException unmet) {
      return unmet.check().describe();
    }
    if (problem.code() == CoreErrorCode.PIN_MISMATCH) {
      return "The PIN and its confirmation differ: type the same PIN twice.";
    }
    return problem.getMessage();
  }
}
