package dev.keytrust.agent.cli;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.audit.AuditTrail;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options the flow commands ({@code provision}, {@code pin change}, {@code reset}) share, as
 * picocli mixins, and how each becomes what {@link dev.keytrust.agent.flow.ProvisioningFlow} takes.
 */
final class FlowOptions {

  /** Default policy directory (docs/policy.md): root-owned, like any policy. */
  static final Path DEFAULT_POLICY_DIR = Path.of("/etc/keytrust/policy");
  /** Default device context file ({@link DeviceContextFile}). */
  static final Path DEFAULT_DEVICE_FILE = Path.of("/etc/keytrust/device.conf");

  private FlowOptions() {}

  /** {@code ~/.keytrust/state}: PIN histories, MFA freshness, TOTP replay state. */
  static Path defaultStateDir() {
    return Path.of(System.getProperty("user.home"), ".keytrust", "state");
  }

  /** {@code --state-dir DIR}. */
  static final class StateDir {
    @Option(
        names = "--state-dir",
        paramLabel = "DIR",
        description = "The agent's state folder: PIN history, recent MFA, used TOTP codes, the audit log"
            + " (audit.jsonl)."
            + " Default: ~/.keytrust/state.")
    Path stateDir;

    Path dir() {
      return stateDir != null ? stateDir : defaultStateDir();
    }
  }

  /** {@code --policy-dir DIR --device FILE}: what decides whether and how the user is provisioned. */
  static final class Setup {
    @Option(
        names = "--policy-dir",
        paramLabel = "DIR",
        description = "The PassportForWork policy folder (docs/policy.md); a missing folder means every default."
            + " Default: /etc/keytrust/policy.")
    Path policyDir;

    @Option(
        names = "--device",
        paramLabel = "FILE",
        description = "The device context file (join state, device id, UPNs, TPM; key = value lines)."
            + " Default: /etc/keytrust/device.conf.")
    Path deviceFile;

    PolicyResolver policies() {
      return new PolicyResolver(policyDir != null ? policyDir : DEFAULT_POLICY_DIR);
    }

    DeviceContext device() throws KeytrustException {
      Path file = deviceFile != null ? deviceFile : DEFAULT_DEVICE_FILE;
      if (deviceFile == null && !Files.exists(file)) {
        throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
            "No device context: " + file + " does not exist. Pass --device FILE (join state, device id, UPNs,"
                + " TPM; see README.md).");
      }
      return DeviceContextFile.read(file, RemoteSessionDetector.forThisProcess());
    }
  }

  /** {@code --endpoint URI [--endpoint-setting NAME=VALUE]...}. */
  static final class Endpoint {
    @Option(
        names = "--endpoint",
        paramLabel = "URI",
        description = "The registration endpoint: https://... (DRS-style key service) or ldaps://HOST/BASE-DN"
            + " (msDS-KeyCredentialLink written directly).")
    String uri;

    @Option(
        names = "--endpoint-setting",
        paramLabel = "NAME=VALUE",
        description = "A setting of the endpoint, e.g. token-file=PATH or ca-file=PATH; repeatable."
            + " Values name files, never hold secrets.")
    Map<String, String> settings = new LinkedHashMap<>();

    boolean given() {
      return uri != null;
    }

    /** Opens the endpoint; the caller closes it. */
    KeyRegistrationEndpoint open() throws KeytrustException {
      return KeyRegistrationEndpoints.open(CliUris.parse("--endpoint", uri), new EndpointSettings(settings));
    }

    /** Opens the endpoint when one is given; null otherwise. The caller closes it. */
    KeyRegistrationEndpoint openIfGiven() throws KeytrustException {
      return given() ? open() : null;
    }

    /** The one-line error when an operation needs an endpoint and none was given. */
    static AgentException required(String what) {
      return new AgentException(CoreErrorCode.INVALID_ARGUMENT,
          what + " needs the registration endpoint: pass --endpoint URI (https://... or ldaps://...).");
    }
  }

  /** {@code --json} of the flow commands: the result as JSON instead of the report. */
  static final class Result {
    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    /** Prints {@code result} on the command's stdout. */
    void print(CommandSpec spec, ProvisioningResult result) {
      FlowCli.print(spec.commandLine().getOut(), result, json);
    }
  }

  /**
   * The options of the flows that make a key ({@code provision}, {@code pin change}): policy and
   * device, MFA, endpoint, PIN input, TPM, key store and state folder.
   */
  static final class KeyFlow {
    @Mixin Setup setup;

    @Mixin MfaOptions mfa;

    @Mixin Endpoint endpoint;

    @Mixin PinOption pinOption;

    @Mixin TpmOption tpm;

    @Mixin StoreOption store;

    @Mixin StateDir state;

    private StdinLines stdin;

    /**
     * The flow over {@code keys} and {@code tpm} with the policy, the device context, the state
     * folder, the PIN source and the progress lines of {@code operation}; the policy and device
     * are read here, so wrong input is found before anything is asked.
     */
    ProvisioningFlow.Builder builder(CliEnvironment env, PrintWriter err, KeyContainerStore keys, TpmUri tpm,
        KeyAlgorithm algorithm, FlowOperation operation) throws KeytrustException {
      PolicyResolver policies = setup.policies();
      DeviceContext device = setup.device();
      Path stateDir = state.dir();
      stdin = new StdinLines(env, mfa.codeStdin);
      PinSource pins = FlowCli.pins(pinOption.pinStdin, env, stdin);
      return ProvisioningFlow.builder()
          .store(keys)
          .tpm(tpm)
          .algorithm(algorithm)
          .policies(policies)
          .device(device)
          .pins(pins)
          .stateDir(stateDir)
          .auditor(AuditTrail.forStateDir(stateDir))
          .listener(FlowCli.progress(err, operation));
    }

    /** The MFA runner of {@code --mfa}, reading a code from the stdin of {@link #builder}. */
    MfaRunner mfaRunner(CliEnvironment env, PrintWriter err) throws KeytrustException {
      return mfa.runner(env, stdin, state.dir(), err);
    }
  }
}
