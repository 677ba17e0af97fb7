package dev.keytrust.agent.cli;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.secret.Pin;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust key create}: a new PIN-protected key for a user. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Create a PIN-protected key for a user and print its key id and public key.",
      "Asks for the PIN twice on the terminal, or reads it once from stdin with --pin-stdin."
    })
final class KeyCreateCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(KeyCreateCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user the key belongs to.")
  String user;

  @Mixin AlgorithmOption alg;

  @Mixin TpmOption tpm;

  @Mixin StoreOption store;

  @Mixin PinOption pinOption;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    CliEnvironment env = KeytrustCli.environment(spec);
    TpmUri uri = tpm.resolve(env);
    // an existing key is reported before the PIN is asked for, and the TPM is opened only after the
    // PIN is in (a simulator serves one client at a time: do not hold it while the user types)
    store.open().requireNoKey(user);
    return pinOption.withNewPin(env, pin -> {
      try (HelloKeys keys = HelloKeys.open(uri, store.root())) {
        return create(keys, uri, pin);
      }
    });
  }

  private int create(HelloKeys keys, TpmUri uri, Pin pin) throws KeytrustException {
    KeyAlgorithm algorithm = alg.algorithm;
    log.debug("creating a {} key for user '{}' on {} in {}", algorithm.id(), user, uri, store.root());
    // key generation is the one slow step: say what is happening (stderr; stdout is the result)
    PrintWriter err = spec.commandLine().getErr();
    err.println(uri.isSoftware()
        ? "keytrust: creating the " + algorithm.id() + " key and encrypting it under the PIN (Argon2id)..."
        : "keytrust: creating the " + algorithm.id() + " key in the TPM"
            + (algorithm == KeyAlgorithm.RSA_2048 ? " (RSA key generation can take up to a minute)..." : "..."));
    err.flush();
    KeyContainer key = keys.create(user, algorithm, pin);
    json.print(spec.commandLine().getOut(), () -> KeyView.json(key, keys.tpmDescription()),
        () -> KeyView.text("Key created", key, keys.tpmDescription()));
    return ExitCodes.OK;
  }
}
