package dev.keytrust.agent.cli;

import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust key delete}: removes a user's key; no PIN needed, as Hello's PIN reset. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Delete the user's key from the key store; it cannot be recovered.",
      "Needs no PIN (as a Windows Hello PIN reset) and no TPM: a TPM key is useless without its",
      "stored blobs. --tpm is only used when given."
    })
final class KeyDeleteCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user whose key to delete.")
  String user;

  @Mixin StoreOption store;

  @Mixin TpmOption tpm;

  @Override
  public Integer call() throws Exception {
    // no TPM command is needed to delete; open the TPM only when one is named explicitly
    try (HelloKeys keys = tpm.tpm != null ? HelloKeys.open(tpm.resolve(KeytrustCli.environment(spec)), store.root())
        : store.openStoreOnly()) {
      KeyContainer key = keys.show(user);
      keys.delete(user);
      PrintWriter out = spec.commandLine().getOut();
      out.println("Deleted the " + key.provider().id() + " " + key.algorithm().id() + " key of user '"
          + key.user() + "' (key id " + key.keyIdHex() + ") from " + store.root() + ".");
      out.flush();
    }
    return ExitCodes.OK;
  }
}
