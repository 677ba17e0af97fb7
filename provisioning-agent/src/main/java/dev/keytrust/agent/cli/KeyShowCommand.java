package dev.keytrust.agent.cli;

import dev.keytrust.key.KeyContainer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust key show}: a user's key id and public key; no PIN needed. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show the user's key: key id, provider, algorithm, creation time and public key.",
      "Reads the key store only: needs neither the PIN nor the TPM."
    })
final class KeyShowCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user whose key to show.")
  String user;

  @Mixin StoreOption store;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    KeyContainer key = store.open().load(user);
    json.print(spec.commandLine().getOut(), () -> KeyView.json(key, null), () -> KeyView.text("User key", key, null));
    return ExitCodes.OK;
  }
}
