package dev.keytrust.agent.prereq;

/** The TPM family: 1.2 (RSA and SHA-1 only, excludable by policy) or 2.0. */
public enum TpmVersion {
  TPM_1_2("1.2"),
  TPM_2_0("2.0");

  private final String label;

  TpmVersion(String label) {
    this.label = label;
  }

  /** {@code 1.2} or {@code 2.0}. */
  public String label() {
    return label;
  }
}
