package dev.keytrust.agent.flow;

/** The operations a {@link ProvisioningFlow} runs; the journal names the one in progress. */
public enum FlowOperation {
  /** First provisioning: policy, prerequisites, MFA, PIN, key, credential, registration, receipt. */
  PROVISION("provision"),
  /** A new PIN: a new key replaces the old one, which is unregistered and deleted. */
  PIN_CHANGE("pin-change"),
  /** Removes the registration, the key, the PIN history and the records. */
  RESET("reset");

  private final String id;

  FlowOperation(String id) {
    this.id = id;
  }

  /** The stable id, e.g. {@code pin-change}; also the CLI command's words. */
  public String id() {
    return id;
  }

  static FlowOperation fromId(String id) {
    for (FlowOperation o : values()) {
      if (o.id.equals(id)) {
        return o;
      }
    }
    return null;
  }
}
