package dev.keytrust.agent.cli;

import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintWriter;
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
      "Provision a user's Windows Hello for Business key (hybrid key trust).",
      "As Windows does it: policy, prerequisites, MFA,",
      "a new PIN (checked against the PIN rules), the key (TPM, or software where policy allows), the",
      "KeyCredentialLink, registration, receipt. Progress goes to stderr, one line per step; the result to",
      "stdout. Run it again after an interruption: it finishes the job with exactly one key and one",
      "registration.",
      "With --mfa-code-stdin and --pin-stdin, standard input holds the MFA code line (always; it is dropped",
      "when an MFA within the last 10 minutes is reused), then the PIN line."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  printf '%%s\\n%%s\\n' \"$CODE\" \"$PIN\" | keytrust provision --user alice@contoso.com \\",
      "      --device /etc/keytrust/device.conf --mfa totp:secret-file=$HOME/.keytrust/alice.totp \\",
      "      --endpoint https://enterpriseregistration.contoso.com --endpoint-setting token-file=TOKEN \\",
      "      --mfa-code-stdin --pin-stdin"
    })
final class ProvisionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER",
      description = "The user to provision (UPN or account name).")
  String user;

  @Mixin AlgorithmOption alg;

  @Mixin FlowOptions.KeyFlow flow;

  @Mixin FlowOptions.Result result;

  @Override
  public Integer call() throws Exception {
    CliEnvironment env = KeytrustCli.environment(spec);
    PrintWriter err = spec.commandLine().getErr();
    // everything that can be wrong with the input is found before anything is asked or written
    if (!flow.mfa.given()) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "Provisioning needs MFA (Windows Hello does not"
          + " proceed without it): pass --mfa, e.g. --mfa totp:secret-file=PATH.");
    }
    if (!flow.endpoint.given()) {
      throw FlowOptions.Endpoint.required("Provisioning");
    }
    TpmUri uri = flow.tpm.resolve(env);
    ProvisioningFlow.Builder builder =
        flow.builder(env, err, flow.store.open(), uri, alg.algorithm, FlowOperation.PROVISION);
    try (MfaRunner mfa = flow.mfaRunner(env, err);
        KeyRegistrationEndpoint registration = flow.endpoint.open()) {
      result.print(spec, builder.mfa(mfa).endpoint(registration).build().run(user));
      return ExitCodes.OK;
    }
  }
}
