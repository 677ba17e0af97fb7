package dev.keytrust.agent.policy;

/** Whom a policy file applies to: the whole computer, or one user (PassportForWork ./Device vs ./User). */
public enum PolicyScope {
  /** Computer configuration: every user of the device. */
  COMPUTER("computer"),
  /** User configuration: one user; it wins over the computer's value for the same setting. */
  USER("user");

  private final String label;

  PolicyScope(String label) {
    this.label = label;
  }

  /** The lower-case word used in file paths, reports and JSON: {@code computer} or {@code user}. */
  public String label() {
    return label;
  }
}
