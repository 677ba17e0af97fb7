package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.key.KeyContainer;

/** The flow's own errors, each saying what to do. */
final class FlowErrors {
  private FlowErrors() {}

  static AgentException foreignKey(String user, KeyContainer key) {
    return new AgentException(ErrorCode.FLOW_FOREIGN_KEY,
        "User '" + user + "' already has a key (" + key.keyIdHex() + ", " + key.provider().id() + ") that no"
            + " keytrust provisioning made, so keytrust does not take it over. Remove it with `keytrust reset --user "
            + user + "` (or `keytrust key delete --user " + user + "`), then provision again.");
  }

  static AgentException keyMissing(String user, String keyIdHex) {
    return new AgentException(ErrorCode.FLOW_KEY_MISSING,
        "User '" + user + "' was provisioned with key " + keyIdHex + ", but the key store no longer holds it (it"
            + " was deleted outside keytrust provisioning). Run `keytrust reset --user " + user + "` to remove its"
            + " registration and records, then provision again.");
  }

  static AgentException otherPending(String user, Journal j) {
    return new AgentException(ErrorCode.FLOW_OTHER_OPERATION_PENDING,
        "A " + j.operation().id() + " of user '" + user + "' was interrupted (" + j.state() + ", " + j.updated()
            + "). Finish it first: run `keytrust " + j.operation().id().replace('-', ' ') + " --user " + user
            + "` again" + (j.operation() == FlowOperation.RESET ? "." : ", or `keytrust reset --user " + user
            + "` to start over."));
  }

  static AgentException notProvisioned(String user) {
    return new AgentException(ErrorCode.FLOW_NOT_PROVISIONED,
        "User '" + user + "' has no provisioned key to change the PIN of. Run `keytrust provision --user " + user
            + "` first.");
  }

  static AgentException endpointRequired(String user, String recorded) {
    return new AgentException(ErrorCode.FLOW_ENDPOINT_REQUIRED,
        "Removing the registration of user '" + user + "' needs the registration endpoint"
            + (recorded == null ? "" : " (it was registered at " + recorded + ")") + ": pass --endpoint URI.");
  }

  static AgentException endpointRequiredToRegister(String user, String what) {
    return new AgentException(ErrorCode.FLOW_ENDPOINT_REQUIRED,
        what + " of user '" + user + "' registers the new key, so it needs the registration endpoint: pass"
            + " --endpoint URI (https://... or ldaps://...). Nothing was asked or created.");
  }
}
