package dev.keytrust.agent.flow;

/**
 * The steps of the provisioning flow, of a PIN change and of a reset. The {@link #id()} strings
 * are stable: events, logs and the journal name steps by them.
 */
public enum StepId {
  /** Removes what an interrupted run left behind (a key it never finished, a registration of a lost key). */
  CLEANUP("cleanup", "Clean up after an interrupted run"),
  /** Resolves the effective policy for the user. */
  POLICY("policy", "Read the policy"),
  /** Runs the prerequisite checks (event 358/360, dsregcmd's Ngc Prerequisite Check). */
  PREREQUISITES("prerequisites", "Check the prerequisites"),
  /** Multi-factor authentication, unless one succeeded within the last ten minutes. */
  MFA("mfa", "Verify your identity (MFA)"),
  /** PIN change: proves the current PIN by a signature with the current key. */
  CURRENT_PIN("current-pin", "Check the current PIN"),
  /** Creates the new PIN: entered twice, checked against the PIN rules. */
  PIN("pin", "Create the PIN"),
  /** PIN change: deletes the old key, after its registration is in the journal. */
  DELETE_OLD_KEY("delete-old-key", "Delete the old key"),
  /** Creates the key: TPM preferred, software only where policy allows. */
  KEY("key", "Create the key"),
  /** Builds the KeyCredentialLink (msDS-KeyCredentialLink value) of the public key. */
  CREDENTIAL("credential", "Build the KeyCredentialLink"),
  /** Registers the public key with the endpoint. */
  REGISTER("register", "Register the public key"),
  /** Records the registration receipt in the key store. */
  RECEIPT("receipt", "Record the receipt"),
  /** PIN change: removes the old key's registration. */
  UNREGISTER_OLD("unregister-old", "Remove the old key's registration"),
  /** Provision of a provisioned user: checks, without the PIN, that the TPM still holds the key. */
  KEY_CHECK("key-check", "Check that the TPM still holds the key"),
  /** Replacing a key the TPM lost: removes its registration. */
  UNREGISTER_LOST("unregister-lost", "Remove the lost key's registration"),
  /** Replacing a key the TPM lost: deletes it from the key store. */
  DELETE_LOST_KEY("delete-lost-key", "Delete the lost key"),
  /** Reset: removes every registration the user's records name. */
  UNREGISTER("unregister", "Remove the registrations"),
  /** Reset: deletes the key. */
  DELETE_KEY("delete-key", "Delete the key"),
  /** Reset: clears the PIN history and the provisioning records. */
  CLEAR("clear", "Clear the PIN history and records");

  private final String id;
  private final String title;

  StepId(String id, String title) {
    this.id = id;
    this.title = title;
  }

  /** The stable id, e.g. {@code key}. */
  public String id() {
    return id;
  }

  /** What the step does, for people: {@code Create the key}. */
  public String title() {
    return title;
  }

  /** The step with this id, or null. */
  static StepId fromId(String id) {
    for (StepId s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    return null;
  }
}
