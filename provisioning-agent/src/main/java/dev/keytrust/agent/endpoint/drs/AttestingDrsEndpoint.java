package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.endpoint.KeyAttestationService;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import java.util.Optional;

/** A DRS endpoint with {@code attest=preferred|required}: the endpoint, plus its attestation extension. */
final class AttestingDrsEndpoint implements KeyRegistrationEndpoint {
  private final KeyRegistrationEndpoint endpoint;
  private final DrsAttestationClient attestation;

  AttestingDrsEndpoint(KeyRegistrationEndpoint endpoint, DrsAttestationClient attestation) {
    this.endpoint = endpoint;
    this.attestation = attestation;
  }

  @Override
  public RegistrationReceipt register(KeyRegistration registration) throws KeytrustException {
    return endpoint.register(registration);
  }

  @Override
  public void unregister(KeyRegistration registration) throws KeytrustException {
    endpoint.unregister(registration);
  }

  @Override
  public String describe() {
    return endpoint.describe();
  }

  @Override
  public Optional<String> refuses(KeyAlgorithm algorithm) {
    return endpoint.refuses(algorithm);
  }

  @Override
  public Optional<KeyAttestationService> attestation() {
    return Optional.of(attestation);
  }

  @Override
  public void close() {
    endpoint.close();
  }

  @Override
  public String toString() {
    return endpoint + " with attestation (" + attestation.mode().id() + ")";
  }
}
