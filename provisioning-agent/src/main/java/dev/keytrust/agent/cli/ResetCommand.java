package dev.keytrust.agent.cli;

import dev.keytrust.agent.audit.AuditTrail;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.ProvisioningFlow;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust reset}: removes what provisioning made for a user. */
@Command(
    name = "reset",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Remove what provisioning made for a user.",
      "That is: every registration the records name (also of an",
      "interrupted run), the key (also one no provisioning made), the PIN history and the records.",
      "Needs no PIN and no TPM; needs --endpoint when a registration is recorded. Idempotent and",
      "resumable: run it again after an interruption."
    })
final class ResetCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user to reset.")
  String user;

  @Mixin FlowOptions.Endpoint endpoint;

  @Mixin StoreOption store;

  @Mixin FlowOptions.StateDir state;

  @Mixin FlowOptions.Result result;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ProvisioningFlow.Builder builder = ProvisioningFlow.builder()
        .store(store.open())
        .stateDir(state.dir())
        .auditor(AuditTrail.forStateDir(state.dir()))
        .listener(FlowCli.progress(err, FlowOperation.RESET));
    KeyRegistrationEndpoint registration = endpoint.openIfGiven();
    try {
      if (registration != null) {
        builder.endpoint(registration);
      }
      result.print(spec, builder.build().reset(user));
      return ExitCodes.OK;
    } finally {
      if (registration != null) {
        registration.close();
      }
    }
  }
}
