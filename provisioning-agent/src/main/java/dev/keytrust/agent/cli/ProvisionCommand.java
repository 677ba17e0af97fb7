package dev.keytrust.agent.cli;

import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust provision}: the Windows Hello for Business provisioning flow for one user. */
@Command(
    name = "provision",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Provision a user as Windows Hello for Business hybrid key trust does: policy, prerequisites, MFA,",
      "a new PIN (checked against the PIN rules), the key (TPM, or software where policy allows), the",
      "KeyCredentialLink, registration, receipt. Progress goes to stderr, one line per step; the result to",
      "stdout. Run it again after an interruption: it finishes the job with exactly one key and one",
      "registration.",
      "With --mfa-code-stdin and --pin-stdin, standard input holds the MFA code line (always; it is dropped",
      "when an MFA within the last 10 minutes is reused), then the PIN line."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  printf '%s\\n%s\\n' \"$CODE\" \"$PIN\" | keytrust provision --user alice@contoso.com \\",
      "      --device /etc/keytrust/device.conf --mfa totp:secret-file=$HOME/.keytrust/alice.totp \\",
      "      --endpoint https://enterpriseregistration.contoso.com --endpoint-setting token-file=TOKEN \\",
      "      --mfa-code-stdin --pin-stdin"
    })
final class ProvisionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER",
      description = "The user to provision (UPN or account name).")
  String user;

  @Option(
      names = "--alg",
      paramLabel = "ALG",
      defaultValue = "rsa2048",
      converter = AlgorithmConverter.class,
      description = "Key algorithm: rsa2048 (default, as Windows Hello for Business) or p256.")
  KeyAlgorithm algorithm;

  @Mixin FlowOptions.Setup setup;

  @Mixin MfaOptions mfa;

  @Mixin FlowOptions.Endpoint endpoint;

  @Mixin PinOption pinOption;

  @Mixin TpmOption tpm;

  @Mixin StoreOption store;

  @Mixin FlowOptions.StateDir state;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CliEnvironment env = KeytrustCli.environment(spec);
    PrintWriter err = spec.commandLine().getErr();
    // everything that can be wrong with the input is found before anything is asked or written
    if (!mfa.given()) {
      throw new KeytrustException(ErrorCode.INVALID_ARGUMENT, "Provisioning needs MFA (Windows Hello does not"
          + " proceed without it): pass --mfa, e.g. --mfa totp:secret-file=PATH.");
    }
    if (!endpoint.given()) {
      throw FlowOptions.Endpoint.required("Provisioning");
    }
    TpmUri uri = tpm.resolve(env);
    PolicyResolver policies = setup.policies();
    DeviceContext device = setup.device();
    Path stateDir = state.dir();
    StdinLines stdin = new StdinLines(env, mfa.codeStdin);
    PinSource pins = FlowCli.pins(pinOption.pinStdin, env, stdin);
    MfaRunner runner = mfa.runner(env, stdin, stateDir, err);
    try (KeyRegistrationEndpoint registration = endpoint.open()) {
      ProvisioningFlow flow = ProvisioningFlow.builder()
          .store(new KeyContainerStore(store.root()))
          .tpm(uri)
          .algorithm(algorithm)
          .policies(policies)
          .device(device)
          .mfa(runner)
          .pins(pins)
          .stateDir(stateDir)
          .endpoint(registration)
          .listener(FlowCli.progress(err, FlowOperation.PROVISION))
          .build();
      ProvisioningResult result = flow.run(user);
      FlowCli.print(spec.commandLine().getOut(), result, json);
      return ExitCodes.OK;
    }
  }
}
