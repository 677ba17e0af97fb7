package dev.keytrust.agent.endpoint;

import dev.keytrust.key.KeyAlgorithm;
import java.util.List;
import java.util.Optional;

import dev.keytrust.error.KeytrustException;

/**
 * Where a user's public key is registered so that sign-in can find it: a DRS-style HTTPS key service
 * or an LDAP directory. Implementations come from a {@link KeyRegistrationEndpointProvider}.
 *
 * <p>Every operation is idempotent: registering a key the server already holds succeeds (with
 * {@link RegistrationReceipt#alreadyPresent()}), and unregistering a key it does not hold succeeds.
 * A provisioning run interrupted after the request was sent but before the receipt was recorded can
 * therefore simply register again. Implementations never log tokens or credentials.
 */
public interface KeyRegistrationEndpoint extends AutoCloseable {

  /**
   * Registers the key and returns the server's receipt.
   *
   * @throws KeytrustException with a KT-16xx code: the server refused (its error code and message
   *     quoted), could not be reached after the bounded retries, or answered with something malformed
   */
  RegistrationReceipt register(KeyRegistration registration) throws KeytrustException;

  /**
   * Removes the key (after a PIN change or a reset). Succeeds when the key is not there.
   *
   * @throws KeytrustException with a KT-16xx code when the server refuses or cannot be reached
   */
  void unregister(KeyRegistration registration) throws KeytrustException;

  /**
   * The keys this endpoint holds for the user (found as {@link #register} finds it: the DRS key
   * service by the token's user, a directory by userPrincipalName or sAMAccountName), for {@code
   * keytrust keys list} and {@code prune}. Each can be removed with {@link #unregister} of {@link
   * ListedKey#asRegistration}.
   *
   * @param accountName the on-premises account name to accept as well, or null
   * @throws KeytrustException ENDPOINT_LIST_UNSUPPORTED when the endpoint cannot list keys (the
   *     default); otherwise the endpoint's KT-16xx errors
   */
  default List<ListedKey> list(String userPrincipalName, String accountName) throws KeytrustException {
    throw new dev.keytrust.agent.AgentException(dev.keytrust.agent.error.AgentErrorCode.ENDPOINT_LIST_UNSUPPORTED,
        "The registration endpoint " + describe() + " cannot list a user's keys.");
  }

  /** The endpoint's URI for messages and receipts, without credentials. */
  String describe();

  /**
   * Why this endpoint cannot take keys of {@code algorithm}, or empty when it can. Asked before a
   * key is created, so that no key is made that cannot be registered.
   */
  default Optional<String> refuses(KeyAlgorithm algorithm) {
    return Optional.empty();
  }

  /**
   * The key attestation this endpoint offers and its settings ask for ({@code attest=preferred} or
   * {@code required}), or empty (no attestation, or {@code attest=off}).
   */
  default Optional<KeyAttestationService> attestation() {
    return Optional.empty();
  }

  /** Releases connections. Never throws. */
  @Override
  void close();
}
