package dev.keytrust.agent.cli;

import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.TpmKeyBlobs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust key export}: a TPM key's public and wrapped private area, for tpm2-tools. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Write a TPM key's blobs for tpm2-tools: key.pub (TPM2B_PUBLIC) and key.priv (TPM2B_PRIVATE).",
      "key.priv is wrapped by the TPM's storage root key: it is useless without that TPM and the PIN.",
      "Reads the key store only: needs neither the PIN nor the TPM."
    })
final class KeyExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user whose key to export.")
  String user;

  @Option(
      names = "--tpm-blobs",
      required = true,
      paramLabel = "DIR",
      description = "The folder to write key.pub and key.priv to (created if missing).")
  Path dir;

  @Mixin StoreOption store;

  @Override
  public Integer call() throws Exception {
    KeyContainerStore keys = store.open();
    KeyContainer key = keys.load(user);
    keys.exportTpmBlobs(user, dir);
    PrintWriter out = spec.commandLine().getOut();
    out.println("Wrote " + dir.resolve("key.pub") + " (TPM2B_PUBLIC) and " + dir.resolve("key.priv")
        + " (TPM2B_PRIVATE) of the " + key.algorithm().id() + " key of user '" + key.user() + "'.");
    if (key.protectedKey() instanceof TpmKeyBlobs blobs) {
      out.println("Load them into the TPM they were made by with: tpm2_load -C "
          + TpmInfoView.handle(blobs.parentHandle()) + " -u " + dir.resolve("key.pub") + " -r "
          + dir.resolve("key.priv") + " -c key.ctx");
    }
    out.flush();
    return ExitCodes.OK;
  }
}
