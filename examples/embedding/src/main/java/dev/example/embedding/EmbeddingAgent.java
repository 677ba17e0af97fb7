package dev.example.embedding;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.mfa.MfaFreshness;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.mfa.PushMfaProvider;
import dev.keytrust.agent.mfa.PushSettings;
import dev.keytrust.agent.pin.PinQuestion;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.secret.Pin;
import dev.keytrust.tpm.TpmUri;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What an endpoint agent writes to embed keytrust, using only its exported API: provision a user
 * (policy, prerequisites, push MFA, PIN, TPM key, KeyCredentialLink, registration over HTTPS) and
 * sign a sign-in challenge with the PIN-unlocked key. The configuration is the agent's own; here
 * it comes from the caller.
 *
 * <p>Threads and lifecycle: an instance holds no connection and no secret, so threads may share
 * it, for different users at once. Each call opens what it needs and closes it before returning:
 * {@link #provision} the user's push MFA provider and registration endpoint (and, for the moment
 * it creates the key, the TPM), {@link #sign} a {@link HelloKeys}, that is a TPM connection. An
 * agent that signs often can keep one {@code HelloKeys} open instead: it is thread-safe, and must
 * be closed when the agent stops.
 *
 * @param tpm the TPM (e.g. {@code device:/dev/tpmrm0}, {@code mssim://127.0.0.1:2321})
 * @param keyStore the key store folder
 * @param stateDir the agent's state folder (MFA freshness, PIN history)
 * @param policyDir the PassportForWork policy folder
 * @param deviceFile the device context (join state, device id, the user's token claims)
 * @param keyService the DRS-style key registration service
 * @param pushService the push-MFA service
 * @param tokenFile the user's bearer token for both services
 * @param caFile the CA that issued the services' TLS certificates
 */
public record EmbeddingAgent(TpmUri tpm, Path keyStore, Path stateDir, Path policyDir, Path deviceFile,
    URI keyService, URI pushService, Path tokenFile, Path caFile) {

  /**
   * Provisions {@code user} with the PIN the user chose ({@code newPin} gives it; the agent's own
   * UI would ask, twice). The flow wipes each array {@code newPin} returns.
   */
  public ProvisioningResult provision(String user, Supplier<char[]> newPin) throws KeytrustException {
    PinSource pins = new OneShotPin(newPin); // the agent's PIN dialog
    // README "Use keytrust as a library" and ProvisioningFlow's Javadoc show this code
    PushSettings push = PushSettings.of(pushService).withTokenFile(tokenFile).withCaFile(caFile);
    try (PushMfaProvider mfaProvider = new PushMfaProvider(push);
        KeyRegistrationEndpoint endpoint = KeyRegistrationEndpoints.open(keyService, new EndpointSettings(
            Map.of("token-file", tokenFile.toString(), "ca-file", caFile.toString())))) {
      MfaRunner mfa = MfaRunner.builder(mfaProvider)
          .freshness(MfaFreshness.inDirectory(stateDir))
          .build();
      ProvisioningFlow flow = ProvisioningFlow.builder()
          .store(new KeyContainerStore(keyStore))
          .tpm(tpm)
          .policies(new PolicyResolver(policyDir))
          .device(DeviceContextFile.read(deviceFile, RemoteSessionDetector.forThisProcess()))
          .mfa(mfa)
          .pins(pins)
          .stateDir(stateDir)
          .endpoint(endpoint)
          .build();
      return flow.run(user);
    }
  }

  /** Signs {@code challenge} with {@code user}'s key, unlocked by the PIN; wipes {@code typedPin}. */
  public byte[] sign(String user, byte[] challenge, char[] typedPin) throws KeytrustException {
    // README "Use keytrust as a library" and HelloKeys' Javadoc show this code
    try (Pin pin = Pin.moveFrom(typedPin); HelloKeys keys = HelloKeys.open(tpm, keyStore)) {
      return keys.sign(user, challenge, pin);
    }
  }

  /** The agent's PIN dialog, reduced to one answer that is its own confirmation. */
  private record OneShotPin(Supplier<char[]> pin) implements PinSource {
    @Override
    public char[] read(PinQuestion question) {
      return pin.get();
    }

    @Override
    public void tell(String message) {
      // an agent would show the unmet PIN rules to the user
    }

    @Override
    public boolean interactive() {
      return false;
    }
  }
}
