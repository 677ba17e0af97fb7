package dev.keytrust.agent.cli;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmDiscovery;
import java.io.PrintWriter;
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
 * {@code dsregcmd /status}. Reads only; creates and changes nothing.
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
      description = "The policy directory (docs/policy.md). Default: none, every setting at its default.")
  Path policyDir;

  @Option(names = "--device", paramLabel = "FILE",
      description = "The device context file (join state, device id, tenant, user identity, session, TPM).")
  Path deviceFile;

  @Mixin TpmOption tpm;

  @Mixin StoreOption store;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CliEnvironment environment = KeytrustCli.environment(spec);
    StatusProbe probe = new StatusProbe(environment, TpmDiscovery.system(),
        RemoteSessionDetector.forEnvironment(environment.env()));
    StatusProbe.Status status;
    try {
      status = probe.probe(new StatusProbe.Request(user, policyDir, deviceFile, tpm.tpm, store.root()));
    } catch (KeytrustException e) {
      if (!DAMAGED.contains(e.code())) {
        throw e;
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println(ExitCodes.message(e, spec.commandLine()));
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    StatusProbe.Status probed = status;
    JsonOption.print(spec.commandLine().getOut(), json, () -> StatusView.json(probed), () -> StatusView.text(probed));
    return ExitCodes.OK;
  }
}
