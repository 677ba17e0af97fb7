package dev.keytrust.agent.cli;

import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust pin change}: a new key with a new PIN replaces the old key. */
@Command(
    name = "change",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Change the PIN of a provisioned user: check the current PIN with the current key, ask the new PIN",
      "(PIN rules and history apply), delete the old key, create and register a new key, and remove the",
      "old key's registration. Resumable: after an interruption run it again; once the old key is gone the",
      "current PIN cannot be checked any more, and --mfa proves the user instead.",
      "With --pin-stdin, standard input holds the current PIN line, then the new PIN line; with",
      "--mfa-code-stdin an MFA code line comes first (used only when a rerun must prove the user by MFA)."
    })
final class PinChangeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user whose PIN to change.")
  String user;

  @Option(
      names = "--alg",
      paramLabel = "ALG",
      defaultValue = "rsa2048",
      converter = AlgorithmConverter.class,
      description = "Algorithm of the new key: rsa2048 (default) or p256.")
  KeyAlgorithm algorithm;

  @Mixin FlowOptions.KeyFlow flow;

  @Mixin FlowOptions.Result result;

  @Override
  public Integer call() throws Exception {
    CliEnvironment env = KeytrustCli.environment(spec);
    PrintWriter err = spec.commandLine().getErr();
    if (!flow.endpoint.given()) {
      throw FlowOptions.Endpoint.required("A PIN change");
    }
    KeyContainerStore keys = flow.store.open();
    Optional<KeyContainer> current = keys.find(user);
    // a software key stays software unless a TPM is named (as 'key sign' uses a stored key)
    TpmUri uri = current.isPresent() ? flow.tpm.resolveFor(current.get(), env) : flow.tpm.resolve(env);
    ProvisioningFlow.Builder builder = flow.builder(env, err, keys, uri, algorithm, FlowOperation.PIN_CHANGE);
    try (MfaRunner mfa = flow.mfa.given() ? flow.mfaRunner(env, err) : null;
        KeyRegistrationEndpoint registration = flow.endpoint.open()) {
      if (mfa != null) {
        builder.mfa(mfa);
      }
      result.print(spec, builder.endpoint(registration).build().changePin(user));
      return ExitCodes.OK;
    }
  }
}
