package dev.keytrust.agent.cli;

import dev.keytrust.key.KeyContainerStore;
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

  /** The key store alone, for commands that only read or remove stored keys (show, export, delete). */
  KeyContainerStore open() {
    return new KeyContainerStore(root());
  }
}
