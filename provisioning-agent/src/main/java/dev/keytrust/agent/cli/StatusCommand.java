package dev.keytrust.agent.cli;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.agent.status.StatusProbe;
import dev.keytrust.agent.status.StatusReport;
import dev.keytrust.agent.status.StatusRequest;
import dev.keytrust.agent.status.TpmChoice;
import dev.keytrust.agent.status.TpmSource;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmDiscovery;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keytrust status}: the device, the TPM and the key provider provisioning would use, the
 * user's key and registration, the prerequisite check and the effective policy, laid out like
 * {@code dsregcmd /status}. Reads only; creates and changes nothing. The options become a {@link
 * StatusRequest}, {@link StatusProbe} gathers the {@link StatusReport}, {@link StatusView} lays it
 * out.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show the provisioning state, like dsregcmd /status.",
      "That is: the device state, the TPM and key provider, the user's key and registration, the",
      "prerequisite check (Yes / No / Not Tested with reasons, PreReqResult) and the effective",
      "policy with the source of every value, like dsregcmd /status. Missing inputs are shown",
      "as unknown; a TPM that cannot be reached is shown, not an error."
    })
final class StatusCommand implements Callable<Integer> {

  /** Damaged key store files: like a malformed --device or policy file, bad input (exit 2). */
  private static final Set<ErrorCode> DAMAGED = Set.of(CoreErrorCode.STORE_CORRUPT, AgentErrorCode.FLOW_JOURNAL_INVALID);

  @Spec CommandSpec spec;

  @Option(names = "--user", paramLabel = "USER",
      description = "The user whose key, registration and user policy to show.")
  String user;

  @Option(names = "--policy-dir", paramLabel = "DIR",
      description = "The policy directory (docs/policy.md), as provision reads it; a missing folder means every"
          + " default. Default: /etc/keytrust/policy.")
  Path policyDir;

  @Option(names = "--device", paramLabel = "FILE",
      description = "The device context file (join state, device id, tenant, user identity, session, TPM)."
          + " Default: /etc/keytrust/device.conf when it exists.")
  Path deviceFile;

  @Mixin TpmOption tpm;

  @Mixin StoreOption store;

  @Mixin FlowOptions.StateDir stateDir;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CliEnvironment environment = KeytrustCli.environment(spec);
    StatusProbe probe = StatusProbe.builder()
        .osName(environment.osName())
        .tpmDiscovery(TpmDiscovery.system())
        .sessionDetector(RemoteSessionDetector.forEnvironment(environment.env()))
        .build();
    StatusRequest request = StatusRequest.builder()
        .user(user)
        // the same defaults as provision: status shows the decision provision would take
        .policyDir(policyDir != null ? policyDir : FlowOptions.DEFAULT_POLICY_DIR)
        .deviceFile(deviceFile != null ? deviceFile
            : Files.exists(FlowOptions.DEFAULT_DEVICE_FILE) ? FlowOptions.DEFAULT_DEVICE_FILE : null)
        .tpm(() -> tpmChoice(environment))
        .storeRoot(store.root())
        .stateDir(stateDir.dir())
        .build();
    StatusReport status;
    try {
      status = probe.probe(request);
    } catch (KeytrustException e) {
      if (!DAMAGED.contains(e.code())) {
        throw e;
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println(ExitCodes.message(e, spec.commandLine()));
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    StatusReport probed = status;
    JsonOption.print(spec.commandLine().getOut(), json, () -> StatusView.json(probed), () -> StatusView.text(probed));
    return ExitCodes.OK;
  }

  /**
   * The TPM as every command chooses it ({@link TpmSelection}: --tpm, else the variable, else the
   * platform's), and who named it. A URI given with --tpm or the variable that does not parse is
   * bad input; a platform without a default TPM is shown, not an error.
   */
  private TpmChoice tpmChoice(CliEnvironment environment) throws KeytrustException {
    TpmSource source = tpm.tpm != null ? TpmSource.GIVEN
        : environment.getenv(TpmUri.ENV).filter(v -> !v.isBlank()).isPresent() ? TpmSource.ENVIRONMENT
        : TpmSource.PLATFORM_DEFAULT;
    try {
      return TpmChoice.named(TpmSelection.resolve(tpm.tpm, environment), source);
    } catch (KeytrustException e) {
      if (tpm.tpm != null || e.code() == CoreErrorCode.UNKNOWN_TPM_URI) {
        throw e; // a TPM URI the user gave that does not parse: bad input
      }
      return TpmChoice.none(source, e);
    }
  }
}
