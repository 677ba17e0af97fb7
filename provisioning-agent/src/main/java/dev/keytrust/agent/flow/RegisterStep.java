package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.util.Objects;

/**
 * Registers a key with the endpoint, and removes registrations. Endpoints are idempotent: sending
 * the same value again (a rerun after a kill between the request and the journal write) gives one
 * registration, and removing an absent one succeeds.
 */
final class RegisterStep implements FlowStep<KeyRegistration, RegistrationReceipt> {
  private final KeyRegistrationEndpoint endpoint;

  RegisterStep(KeyRegistrationEndpoint endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
  }

  @Override
  public RegistrationReceipt run(KeyRegistration registration) throws KeytrustException {
    RegistrationReceipt receipt = endpoint.register(registration);
    if (!registration.keyIdBase64().equals(receipt.keyIdBase64())) {
      throw new AgentException(AgentErrorCode.FLOW_RECEIPT_MISMATCH,
          "The endpoint " + endpoint.describe() + " confirmed key " + receipt.keyIdBase64() + " but keytrust"
              + " registered key " + registration.keyIdBase64() + ". Check the endpoint; run the command again to"
              + " retry.");
    }
    return receipt;
  }

  void unregister(KeyRegistration registration) throws KeytrustException {
    endpoint.unregister(registration);
  }

  String describe() {
    return endpoint.describe();
  }
}
