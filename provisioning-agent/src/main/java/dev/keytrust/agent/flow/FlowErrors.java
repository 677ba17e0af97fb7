package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.key.KeyContainer;

/** The flow's own errors, each saying what to do. */
final class FlowErrors {
  private FlowErrors() {}

  static AgentException foreignKey(String user, KeyContainer key) {
    return new AgentException(AgentErrorCode.FLOW_FOREIGN_KEY,
        "User '" + user + "' already has a key (" + key.keyIdHex() + ", " + key.provider().id() + ") that no"
            + " keytrust provisioning made, so keytrust does not take it over. Remove it with `keytrust reset --user "
            + user + "` (with --endpoint when a registration is on record), then run `keytrust provision --user "
            + user + "` again. A registration left at the service by an earlier key shows in `keytrust keys list"
            + " --user " + user + "`, and `keytrust keys prune --user " + user + "` removes it.");
  }

  static AgentException keyMissing(String user, String keyIdHex) {
    return new AgentException(AgentErrorCode.FLOW_KEY_MISSING,
        "User '" + user + "' was provisioned with key " + keyIdHex + ", but the key store no longer holds it (it"
            + " was deleted outside keytrust provisioning). Run `keytrust reset --user " + user + "` to remove its"
            + " registration and records, then provision again.");
  }

  static AgentException otherPending(String user, Journal j) {
    return new AgentException(AgentErrorCode.FLOW_OTHER_OPERATION_PENDING,
        "A " + j.operation().id() + " of user '" + user + "' was interrupted (" + j.state() + ", " + j.updated()
            + "). Finish it first: run `keytrust " + j.operation().id().replace('-', ' ') + " --user " + user
            + "` again" + (j.operation() == FlowOperation.RESET ? "." : ", or `keytrust reset --user " + user
            + "` to start over."));
  }

  static AgentException notProvisioned(String user) {
    return new AgentException(AgentErrorCode.FLOW_NOT_PROVISIONED,
        "User '" + user + "' has no provisioned key to change the PIN of. Run `keytrust provision --user " + user
            + "` first.");
  }

  static AgentException endpointRequired(String user, String recorded) {
    return new AgentException(AgentErrorCode.FLOW_ENDPOINT_REQUIRED,
        "Removing the registration of user '" + user + "' needs the registration endpoint"
            + (recorded == null ? "" : " (it was registered at " + recorded + ")") + ": pass --endpoint URI.");
  }

  static AgentException endpointRequiredToRegister(String user, String what) {
    return new AgentException(AgentErrorCode.FLOW_ENDPOINT_REQUIRED,
        what + " of user '" + user + "' registers the new key, so it needs the registration endpoint: pass"
            + " --endpoint URI (https://... or ldaps://...). Nothing was asked or created.");
  }

  static AgentException endpointMismatch(String user, String recorded, String given) {
    return new AgentException(AgentErrorCode.FLOW_ENDPOINT_MISMATCH,
        "The registration of user '" + user + "' is at " + recorded + ", but the endpoint given is " + given
            + "; removing it there would leave the key registered at " + recorded + ". Pass --endpoint with"
            + " the endpoint that holds the registration (and its settings).");
  }

  static AgentException algorithmNotAccepted(String user, dev.keytrust.key.KeyAlgorithm algorithm, String endpoint,
      String why) {
    return new AgentException(AgentErrorCode.FLOW_ALGORITHM_NOT_ACCEPTED,
        "User '" + user + "' would get a " + algorithm.id() + " key, but " + endpoint + " cannot register it: " + why
            + ". Choose another algorithm (--alg rsa2048) or another endpoint. Nothing was asked or created.");
  }

  /**
   * The reset did its part on this device, but registrations stay at an endpoint that cannot remove
   * keys. The first command named is the next step (provisioning works now); the rest is about the
   * registration left behind.
   */
  static AgentException registrationsRemain(String user, java.util.List<RemainingRegistration> left) {
    RemainingRegistration first = left.get(0);
    String which = left.size() == 1
        ? "the registration of key " + first.registration().keyIdBase64() + " remains at " + first.endpoint()
        : left.size() + " registrations remain (key " + first.registration().keyIdBase64() + " and others, at "
            + first.endpoint() + ")";
    String them = left.size() == 1 ? "it" : "them";
    return new AgentException(AgentErrorCode.FLOW_REGISTRATION_REMAINS,
        "User '" + user + "' is reset on this device (the key, the PIN history and the records are removed), so"
            + " `keytrust provision --user " + user + "` makes a new key now; but " + which + ": that endpoint"
            + " does not remove keys (" + first.errorCode() + "). Remove " + them + " there with the service's own"
            + " tools (e.g. Microsoft Graph windowsHelloForBusinessMethods, or the user's msDS-KeyCredentialLink)."
            + " keytrust keeps " + them + " on record: `keytrust status --user " + user + "` shows " + them
            + ", and `keytrust reset --user " + user + "` with the same --endpoint tries again.");
  }
}
