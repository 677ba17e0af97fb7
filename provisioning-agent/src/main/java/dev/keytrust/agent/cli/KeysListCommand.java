package dev.keytrust.agent.cli;

import dev.keytrust.agent.keys.KeyListing;
import dev.keytrust.agent.prereq.DeviceContext;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keytrust keys list}: a user's keys side by side. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show a user's keys side by side: the key store, the key service's registrations (--endpoint) and",
      "the directory's msDS-KeyCredentialLink values (--directory), by KeyID, with the device, the creation",
      "time, where each is, and whose it is: this device, another device, or unknown to the key service.",
      "Registrations and values of this device whose key is gone are orphans ('keys prune' removes them).",
      "Changes nothing."
    },
    footerHeading = "%nExample:%n",
    footer = "  keytrust keys list --user alice@contoso.com --endpoint https://keys.contoso.com"
        + " --endpoint-setting token-file=TOKEN \\%n"
        + "      --directory ldaps://dc1.contoso.com/DC=contoso,DC=com --directory-setting credentials-file=CRED")
final class KeysListCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KeysOptions keys;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    DeviceContext device = keys.device();
    try (KeysOptions.Opened opened = keys.open()) {
      KeyListing listing = keys.list(keys.inventory(opened, device), device);
      String from = keys.deviceFile != null ? "device context " + keys.deviceFile
          : device != null ? "device context " + FlowOptions.DEFAULT_DEVICE_FILE : "the registration receipt";
      json.print(spec.commandLine().getOut(), () -> KeysView.json(listing), () -> KeysView.text(listing, from));
      return ExitCodes.OK;
    }
  }
}
