package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.secret.Pin;
import dev.keytrust.tpm.TpmUri;
import java.util.Objects;
import java.util.Set;

/**
 * Creates the user's key: in the TPM when one is usable, in software only when policy allows it
 * (RequireSecurityDevice false), and says which and why ({@link KeyChoice}). The PIN is the
 * caller's; this step neither keeps nor clears it.
 */
final class KeyStep implements FlowStep<KeyStep.Input, KeyStep.Output> {
  /** Errors that mean "no usable TPM at this URI", after which software may stand in. */
  static final Set<ErrorCode> NO_TPM = Set.of(
      CoreErrorCode.TPM_UNREACHABLE,
      CoreErrorCode.TPM_PLATFORM_UNSUPPORTED,
      CoreErrorCode.TPM_VERSION_UNSUPPORTED,
      CoreErrorCode.TPM_NO_RESOURCE_MANAGER);

  private static final TpmUri SOFTWARE = softwareUri();

  /**
   * @param user the key's user
   * @param algorithm the key algorithm
   * @param tpm the TPM to use, or {@code software} when asked for by name
   * @param requireSecurityDevice the policy's RequireSecurityDevice
   * @param pin the new PIN (the caller's; neither kept nor destroyed here)
   */
  record Input(String user, KeyAlgorithm algorithm, TpmUri tpm, boolean requireSecurityDevice, Pin pin) {
    Input {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(tpm, "tpm");
      Objects.requireNonNull(pin, "pin");
    }
  }

  /** The key, saved in the store, and the provider choice. */
  record Output(KeyContainer key, KeyChoice choice) {
    String summary() {
      return key.provider().id() + " " + key.algorithm().id() + " key " + key.keyIdHex() + ": " + choice.reason();
    }
  }

  private final HelloKeysFactory keys;

  KeyStep(HelloKeysFactory keys) {
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  @Override
  public Output run(Input in) throws KeytrustException {
    Opened opened = open(in);
    try (HelloKeys k = opened.keys()) {
      KeyContainer key = k.create(in.user(), in.algorithm(), in.pin());
      return new Output(key, opened.choice());
    }
  }

  private record Opened(HelloKeys keys, KeyChoice choice) {}

  private Opened open(Input in) throws KeytrustException {
    String allowed = "allowed by policy (RequireSecurityDevice is false)";
    if (in.tpm().isSoftware()) {
      if (in.requireSecurityDevice()) {
        throw new AgentException(AgentErrorCode.FLOW_SECURITY_DEVICE_REQUIRED,
            "Policy requires a TPM for Windows Hello keys (RequireSecurityDevice) but the software provider was"
                + " selected: name a TPM instead (or have the policy changed).");
      }
      return new Opened(keys.open(SOFTWARE),
          new KeyChoice(ProviderKind.SOFTWARE, "software key, as selected; " + allowed));
    }
    try {
      HelloKeys k = keys.open(in.tpm());
      return new Opened(k, new KeyChoice(ProviderKind.TPM, "TPM at " + k.tpmDescription()));
    } catch (KeytrustException e) {
      if (!NO_TPM.contains(e.code())) {
        throw e;
      }
      if (in.requireSecurityDevice()) {
        throw new AgentException(AgentErrorCode.FLOW_SECURITY_DEVICE_REQUIRED,
            "Policy requires a TPM for Windows Hello keys (RequireSecurityDevice) and there is no usable TPM at "
                + in.tpm() + ": " + e.getMessage() + " [" + e.code().id() + "] Make the TPM available, or have the"
                + " policy allow software keys.", e);
      }
      return new Opened(keys.open(SOFTWARE), new KeyChoice(ProviderKind.SOFTWARE,
          "no TPM at " + in.tpm() + " (" + e.code().id() + "): software key, " + allowed));
    }
  }

  private static TpmUri softwareUri() {
    try {
      return TpmUri.parse(TpmUri.SOFTWARE);
    } catch (KeytrustException e) {
      throw new dev.keytrust.error.KeytrustBugException("the software URI does not parse", e);
    }
  }
}
