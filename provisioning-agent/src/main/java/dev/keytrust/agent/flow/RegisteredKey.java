package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import java.util.Objects;

/**
 * A registration as the key store records it: what was registered (enough to unregister it later,
 * after the key itself is gone) and the endpoint's receipt. Holds no secret.
 *
 * @param registration what was sent: key material, key id, the KeyCredentialLink blob, device id
 * @param receipt what the endpoint answered
 */
public record RegisteredKey(KeyRegistration registration, RegistrationReceipt receipt) {
  public RegisteredKey {
    Objects.requireNonNull(registration, "registration");
    Objects.requireNonNull(receipt, "receipt");
  }

  /** The key id as upper-case hex, as the key store names keys. */
  public String keyIdHex() {
    return registration.keyIdHex();
  }
}
