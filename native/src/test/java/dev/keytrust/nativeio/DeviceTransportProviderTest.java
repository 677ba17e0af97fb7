package dev.keytrust.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.jna.LastErrorException;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmDeviceNode;
import dev.keytrust.tpm.TpmTransport;
import dev.keytrust.tpm.TpmTransportProvider;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class DeviceTransportProviderTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final DeviceTransportProvider provider = new DeviceTransportProvider();

  @Test
  void serviceLoaderFindsDeviceAndTbs() {
    Map<String, TpmTransportProvider> byScheme =
        ServiceLoader.load(TpmTransportProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .collect(Collectors.toMap(TpmTransportProvider::scheme, Function.identity()));

    assertThat(byScheme.get("device")).isInstanceOf(DeviceTransportProvider.class);
    assertThat(byScheme.get("tbs")).isInstanceOf(TbsTransportProvider.class);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aMissingDeviceIsUnreachableAndNamesThePath() {
    assertThatThrownBy(() -> provider.open(TpmUri.parse("device:/nonexistent"), TIMEOUT))
        .isInstanceOfSatisfying(
            KeytrustException.class,
            e -> {
              assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
              assertThat(e.getCause()).isInstanceOf(LastErrorException.class);
              assertThat(((LastErrorException) e.getCause()).getErrorCode()).isEqualTo(LibC.ENOENT);
            })
        .hasMessageContaining("No TPM device at /nonexistent")
        .hasMessageContaining("tpm_tis or tpm_crb")
        .hasMessageContaining("mssim://");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aRegularFileIsNotATpm(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tpm.txt"), "not a device");

    assertThatThrownBy(() -> provider.open(TpmUri.parse("device:" + file), TIMEOUT))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE))
        .hasMessageContaining("is not a character device")
        .hasMessageContaining("unix:PATH");
    assertThat(Files.readString(file)).isEqualTo("not a device");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aCharacterDeviceWithoutATpmFailsOnTheFirstCommand() throws Exception {
    // /dev/null opens, swallows the command and answers with end of file
    try (TpmTransport t = provider.open(TpmUri.parse("device:/dev/null"), TIMEOUT)) {
      assertThat(t.describe()).isEqualTo("device:/dev/null");
      assertThatThrownBy(() -> t.transmit(TpmCommands.GET_RANDOM_16))
          .isInstanceOfSatisfying(
              KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
          .hasMessageContaining("device:/dev/null closed the connection after 0 response bytes");
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void aRawDevicePathIsWarnedAboutAndNotReplaced() {
    Logger logger = (Logger) LoggerFactory.getLogger(DeviceTransportProvider.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      // no TPM on this host: the open fails for /dev/tpm0 itself, not for a substitute
      assertThatThrownBy(() -> provider.open(TpmUri.parse("device:/dev/tpm0"), TIMEOUT))
          .isInstanceOf(KeytrustException.class)
          .hasMessageContaining("/dev/tpm0")
          .hasMessageNotContaining("tpmrm0");
    } finally {
      logger.detachAppender(events);
    }

    assertThat(events.list)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.WARN);
              assertThat(e.getFormattedMessage())
                  .contains("/dev/tpm0 is a raw TPM device without the kernel resource manager")
                  .contains("prefer /dev/tpmrm0");
            });
  }

  @Test
  void rawDevicesAreRecognised() {
    assertThat(DeviceTransportProvider.lacksResourceManager("/dev/tpm0")).isTrue();
    assertThat(DeviceTransportProvider.lacksResourceManager("/dev/tpm12")).isTrue();
    assertThat(DeviceTransportProvider.lacksResourceManager("/dev/tpmrm0")).isFalse();
    assertThat(DeviceTransportProvider.lacksResourceManager("/tmp/tpm0.sock")).isFalse();
    assertThat(DeviceTransportProvider.resourceManagerPath("/dev/tpm1")).isEqualTo("/dev/tpmrm1");
  }

  @Test
  void openErrnosMapToActionableErrors() {
    KeytrustException busy =
        DeviceTransportProvider.openFailure("/dev/tpm1", LibC.EBUSY, "Device or resource busy (errno 16)");
    assertThat(busy.code()).isEqualTo(CoreErrorCode.TPM_BUSY);
    assertThat(busy)
        .hasMessageContaining("Another process holds /dev/tpm1")
        .hasMessageContaining("use /dev/tpmrm1 (the kernel resource manager, shared safely) instead");
    KeytrustException busyRm =
        DeviceTransportProvider.openFailure("/dev/tpmrm0", LibC.EBUSY, "Device or resource busy (errno 16)");
    assertThat(busyRm.code()).isEqualTo(CoreErrorCode.TPM_BUSY);
    assertThat(busyRm).hasMessageContaining("stop the other TPM user");

    KeytrustException socket =
        DeviceTransportProvider.openFailure("/run/swtpm.sock", LibC.ENXIO, "No such device or address (errno 6)");
    assertThat(socket.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
    assertThat(socket).hasMessageContaining("unix:PATH");

    KeytrustException other =
        DeviceTransportProvider.openFailure("/dev/tpmrm0", 5, "Input/output error (errno 5)");
    assertThat(other.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT);
    assertThat(other).hasMessageContaining("Input/output error (errno 5)");
  }

  @Test
  void permissionDeniedNamesTheGroupThatOwnsTheNode() {
    KeytrustException denied =
        DeviceTransportProvider.openFailure("/dev/tpmrm0", LibC.EACCES, "Permission denied (errno 13)",
            new TpmDeviceNode(Path.of("/dev/tpmrm0"), "tss", "tss", "rw-rw----", false));

    assertThat(denied.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
    assertThat(denied)
        .hasMessageStartingWith("No permission to open /dev/tpmrm0 (Permission denied (errno 13))")
        .hasMessageContaining("owned by tss:tss with mode rw-rw----")
        .hasMessageContaining("add your user to group tss (sudo usermod -aG tss $USER) and log in again");
    assertThat(((LastErrorException) denied.getCause()).getErrorCode()).isEqualTo(LibC.EACCES);

    // another distribution's group is named as it is, not assumed to be tss
    assertThat(DeviceTransportProvider.openFailure("/dev/tpmrm0", LibC.EACCES, "Permission denied",
            new TpmDeviceNode(Path.of("/dev/tpmrm0"), "root", "tpm", "rw-rw----", false)))
        .hasMessageContaining("add your user to group tpm (sudo usermod -aG tpm $USER)");
  }

  @Test
  void aNodeOnlyRootMayUseSaysWhichUdevRulesAreMissing() {
    KeytrustException denied =
        DeviceTransportProvider.openFailure("/dev/tpmrm0", LibC.EACCES, "Permission denied",
            new TpmDeviceNode(Path.of("/dev/tpmrm0"), "root", "root", "rw-------", false));

    assertThat(denied)
        .hasMessageContaining("owned by root:root with mode rw-------, so only root may use it")
        .hasMessageContaining("tpm-udev")
        .hasMessageNotContaining("usermod -aG root");
  }

  @Test
  void anUnreadableNodeStillGetsAdvice() {
    assertThat(DeviceTransportProvider.openFailure("/dev/tpmrm0", LibC.EPERM, "Operation not permitted", null))
        .hasMessageContaining("the group that owns the device (see ls -l; on Debian it is tss)");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void theOwnerIsReadFromTheNodeItself(@TempDir Path dir) throws Exception {
    Path node = Files.createFile(dir.resolve("tpmrm9"));
    Files.setPosixFilePermissions(node, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
    java.nio.file.attribute.PosixFileAttributes real =
        Files.readAttributes(node, java.nio.file.attribute.PosixFileAttributes.class);

    // the errno path stats the node it was given
    assertThat(DeviceTransportProvider.openFailure(node.toString(), LibC.EACCES, "Permission denied"))
        .hasMessageContaining("owned by " + real.owner().getName() + ":" + real.group().getName()
            + " with mode rw-rw----")
        .hasMessageContaining("add your user to group " + real.group().getName());
    assertThat(DeviceTransportProvider.openFailure(dir.resolve("gone").toString(), LibC.EACCES, "Permission denied"))
        .hasMessageContaining("on Debian it is tss");
  }

  @Test
  void aNonPositiveTimeoutIsBadInput() {
    assertThatThrownBy(() -> provider.open(TpmUri.parse("device:/dev/tpmrm0"), Duration.ZERO))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.INVALID_ARGUMENT));
  }
}
