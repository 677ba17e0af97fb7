package dev.keytrust.agent.cli;

import dev.keytrust.agent.keys.KeyInventory;
import dev.keytrust.agent.keys.KeyListing;
import dev.keytrust.agent.keys.PruneResult;
import dev.keytrust.agent.pin.PinLines;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust keys prune}: removes the orphans {@code keys list} shows, after confirmation. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Remove the registrations (--endpoint) and directory values (--directory) of this device whose key",
      "the key store no longer holds: the orphans 'keys list' shows. Keys of other devices are never",
      "touched. Shows what it would remove and asks (a line 'yes' on standard input), unless --yes.",
      "Exit 0 when everything was removed (or nothing was to remove), 1 when a removal failed or remains."
    })
final class KeysPruneCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KeysOptions keys;

  @Option(names = "--yes", description = "Remove without asking.")
  boolean yes;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DeviceContext device = keys.device();
    try (KeysOptions.Opened opened = keys.open()) {
      KeyInventory inventory = keys.inventory(opened, device);
      KeyListing listing = keys.list(inventory, device);
      if (listing.orphans().isEmpty()) {
        json.print(out, () -> KeysView.json(new PruneResult(listing.user(), java.util.List.of())),
            () -> "Nothing to prune: every registration and directory value of this device has its key"
                + (listing.thisDevice() == null ? " (this device's id is unknown: give --device FILE)" : "") + ".\n");
        return ExitCodes.OK;
      }
      if (!yes) {
        err.println("keytrust keys prune would remove, for user " + listing.user() + ":");
        for (KeyListing.Entry e : listing.orphans()) {
          err.println("  key " + e.keyIdBase64() + " (" + e.sources() + ", device " + e.deviceId() + ")");
        }
        err.print("Remove " + (listing.orphans().size() == 1 ? "it" : "them") + "? Type yes: ");
        err.flush();
        String answer = readLine();
        if (answer == null) {
          err.println();
          throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "keys prune asks before it removes anything,"
              + " and standard input ended without an answer: answer yes, or pass --yes.");
        }
        if (!answer.strip().toLowerCase(Locale.ROOT).matches("y|yes")) {
          out.println("Nothing was removed (not confirmed).");
          return ExitCodes.OK;
        }
      }
      PruneResult result = inventory.prune(listing);
      json.print(out, () -> KeysView.json(result), () -> KeysView.text(result));
      return result.complete() ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  private String readLine() throws KeytrustException {
    try {
      return new BufferedReader(PinLines.strictUtf8(KeytrustCli.environment(spec).stdin())).readLine();
    } catch (IOException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "Cannot read the answer from standard input: "
          + e.getMessage());
    }
  }
}
