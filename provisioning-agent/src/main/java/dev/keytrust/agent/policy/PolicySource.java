package dev.keytrust.agent.policy;

/** How a policy reached the device: group policy or mobile device management (the PassportForWork CSP). */
public enum PolicySource {
  /** Group policy (GPO); wins over MDM whenever both set a setting. */
  GROUP_POLICY("gpo"),
  /** Mobile device management (the PassportForWork CSP). */
  MDM("mdm");

  private final String label;

  PolicySource(String label) {
    this.label = label;
  }

  /** The lower-case word used in file names, reports and JSON: {@code gpo} or {@code mdm}. */
  public String label() {
    return label;
  }
}
