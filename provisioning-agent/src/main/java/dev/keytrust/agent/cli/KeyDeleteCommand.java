package dev.keytrust.agent.cli;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainerStore;
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
      "stored blobs. A damaged key file is deleted too."
    })
final class KeyDeleteCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user whose key to delete.")
  String user;

  @Mixin StoreOption store;

  @Override
  public Integer call() throws Exception {
    // no TPM command is needed to delete: the store removes the key file and the provider state
    KeyContainerStore keys = store.open();
    String what;
    try {
      KeyContainer key = keys.load(user);
      what = "the " + key.provider().id() + " " + key.algorithm().id() + " key of user '" + key.user() + "' (key id "
          + key.keyIdHex() + ")";
    } catch (KeytrustException e) {
      if (e.code() == CoreErrorCode.KEY_NOT_FOUND) {
        throw e;
      }
      what = "the damaged key file of user '" + user + "' (" + e.code().id() + ")";
    }
    keys.delete(user);
    PrintWriter out = spec.commandLine().getOut();
    out.println("Deleted " + what + " from " + store.root() + ".");
    out.flush();
    return ExitCodes.OK;
  }
}
