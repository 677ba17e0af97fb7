package dev.keytrust.agent.cli;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --store DIR}: where user keys are kept. */
final class StoreOption {

  @Option(
      names = "--store",
      paramLabel = "DIR",
      description = "The key store folder. Default: ~/.keytrust/keys.")
  Path store;

  Path root() {
    return store != null ? store : KeyContainerStore.defaultRoot();
  }

  /**
   * The key store alone, for commands that only read or remove stored keys (show, export, delete):
   * {@link HelloKeys} over the software provider, which opens no TPM connection and does no I/O
   * until asked. Never used to create keys or sign, so it is no silent software fallback.
   */
  HelloKeys openStoreOnly() throws KeytrustException {
    return HelloKeys.open(TpmUri.parse(TpmUri.SOFTWARE), root());
  }
}
