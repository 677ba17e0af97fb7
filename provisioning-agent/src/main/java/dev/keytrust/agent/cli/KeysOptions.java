package dev.keytrust.agent.cli;

import dev.keytrust.agent.audit.AuditTrail;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.keys.KeyInventory;
import dev.keytrust.agent.keys.KeyListing;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.agent.prereq.UserIdentity;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of {@code keys list} and {@code keys prune}: the user, the key service (as {@code
 * provision}'s --endpoint), the directory (as {@code authenticate}'s --directory), this device and
 * the key store; and how they become a {@link KeyInventory} and a {@link KeyListing}.
 */
final class KeysOptions {

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user (the key store's name).")
  String user;

  @Option(names = "--upn", paramLabel = "UPN",
      description = "The user's UPN at the key service and in the directory. Default: the device context's"
          + " cloud UPN (else on-premises UPN), else --user.")
  String upn;

  @Mixin FlowOptions.Endpoint endpoint;

  @Option(names = "--directory", paramLabel = "URI",
      description = "The directory whose msDS-KeyCredentialLink is listed: ldaps://HOST[:PORT]/BASE-DN, as for"
          + " the LDAP endpoint (prune removes values as this account: it needs the write grant).")
  String directory;

  @Option(names = "--directory-setting", paramLabel = "NAME=VALUE",
      description = "A setting of the directory: credentials-file=PATH (required), ca-file=PATH, connect-timeout,"
          + " response-timeout; repeatable.")
  Map<String, String> directorySettings = new LinkedHashMap<>();

  @Option(names = "--device", paramLabel = "FILE",
      description = "The device context file: this device's id (and the user's UPN)."
          + " Default: /etc/keytrust/device.conf when it exists, else the id the registration receipt names.")
  Path deviceFile;

  @Mixin StoreOption store;

  @Mixin FlowOptions.StateDir state;

  /** The endpoints opened for one command; closes both. */
  static final class Opened implements AutoCloseable {
    final KeyRegistrationEndpoint keyService;
    final KeyRegistrationEndpoint directory;

    Opened(KeyRegistrationEndpoint keyService, KeyRegistrationEndpoint directory) {
      this.keyService = keyService;
      this.directory = directory;
    }

    @Override
    public void close() {
      if (keyService != null) {
        keyService.close();
      }
      if (directory != null) {
        directory.close();
      }
    }
  }

  /** Opens --endpoint and --directory (bad settings fail here, exit 2). */
  Opened open() throws KeytrustException {
    KeyRegistrationEndpoint service = endpoint.openIfGiven();
    try {
      KeyRegistrationEndpoint dir = directory == null ? null : KeyRegistrationEndpoints.open(
          CliUris.parse("--directory", directory), new EndpointSettings(directorySettings));
      return new Opened(service, dir);
    } catch (KeytrustException | RuntimeException e) {
      if (service != null) {
        service.close();
      }
      throw e;
    }
  }

  /** The device context, when --device names one or the default exists; else null. */
  DeviceContext device() throws KeytrustException {
    Path file = deviceFile != null ? deviceFile : FlowOptions.DEFAULT_DEVICE_FILE;
    if (deviceFile == null && !Files.exists(file)) {
      return null;
    }
    return DeviceContextFile.read(file, RemoteSessionDetector.forThisProcess());
  }

  KeyInventory inventory(Opened opened, DeviceContext device) throws KeytrustException {
    KeyInventory.Builder b = KeyInventory.builder().store(store.open()).audit(AuditTrail.forStateDir(state.dir()));
    if (opened.keyService != null) {
      b.keyService(opened.keyService);
    }
    if (opened.directory != null) {
      b.directory(opened.directory);
    }
    UUID id = deviceId(device);
    if (id != null) {
      b.thisDevice(id);
    }
    return b.build();
  }

  KeyListing list(KeyInventory inventory, DeviceContext device) throws KeytrustException {
    String name = upn;
    if (name == null && device != null) {
      UserIdentity id = device.user();
      name = id.cloudUpn().or(id::onPremUpn).orElse(null);
    }
    if (name == null) {
      name = user;
    }
    return inventory.list(user, name, UserIdentity.isUpn(user) ? null : accountName(user));
  }

  private static String accountName(String user) {
    int slash = user.lastIndexOf('\\');
    return slash >= 0 ? user.substring(slash + 1) : user;
  }

  private UUID deviceId(DeviceContext device) throws KeytrustException {
    if (device == null || device.deviceId().isEmpty()) {
      return null;
    }
    String raw = device.deviceId().get().replace("{", "").replace("}", "");
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The device id '" + device.deviceId().get() + "' of the device context is not a GUID: fix the device"
              + " context.");
    }
  }
}
