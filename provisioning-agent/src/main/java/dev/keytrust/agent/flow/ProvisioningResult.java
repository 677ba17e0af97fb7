package dev.keytrust.agent.flow;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a run of {@link ProvisioningFlow} achieved. Holds no secret.
 *
 * @param runId the run's id, as in its events
 * @param operation the operation run
 * @param user the user
 * @param outcome the end state
 * @param keyIdHex the user's key id now (upper-case hex), or null when the user has no key
 * @param keyChoice the key's provider and why, or null when the user has no key
 * @param registration the user's registration now, or null
 * @param resumed true when the run continued an interrupted one
 * @param events every event of the run, in order
 */
public record ProvisioningResult(
    String runId,
    FlowOperation operation,
    String user,
    Outcome outcome,
    String keyIdHex,
    KeyChoice keyChoice,
    RegisteredKey registration,
    boolean resumed,
    List<StepEvent> events) {

  /** How a run ended. */
  public enum Outcome {
    /** The key is created and registered. */
    PROVISIONED,
    /** The user was provisioned already; nothing was done. */
    ALREADY_PROVISIONED,
    /** A new key with the new PIN replaced the old key, which is unregistered and deleted. */
    PIN_CHANGED,
    /** The registration, key, PIN history and records are gone. */
    RESET,
    /** There was nothing to reset. */
    NOTHING_TO_RESET
  }

  public ProvisioningResult {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(outcome, "outcome");
    events = List.copyOf(events);
  }

  public Optional<String> keyId() {
    return Optional.ofNullable(keyIdHex);
  }

  public Optional<KeyChoice> choice() {
    return Optional.ofNullable(keyChoice);
  }

  public Optional<RegisteredKey> registered() {
    return Optional.ofNullable(registration);
  }
}
