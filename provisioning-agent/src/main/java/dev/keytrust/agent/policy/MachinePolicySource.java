package dev.keytrust.agent.policy;

/**
 * Which kind of policy governs provisioning, as event 358/360 line "Machine is governed by %9
 * policy" and dsregcmd's {@code CertEnrollment} field report it.
 */
public enum MachinePolicySource {
  /** No setting is configured: every value is a default. */
  NONE("none"),
  /** At least one applied value comes from group policy. */
  GROUP_POLICY("enrollment authority"),
  /** Every applied value comes from MDM. */
  MDM("mobile device management");

  private final String windowsName;

  MachinePolicySource(String windowsName) {
    this.windowsName = windowsName;
  }

  /** The words Windows prints: {@code none}, {@code enrollment authority}, {@code mobile device management}. */
  public String windowsName() {
    return windowsName;
  }
}
