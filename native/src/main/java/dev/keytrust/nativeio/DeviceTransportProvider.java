package dev.keytrust.nativeio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmDeviceNode;
import dev.keytrust.tpm.TpmTransport;
import dev.keytrust.tpm.TpmTransportProvider;
import dev.keytrust.tpm.TpmUri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@code device:PATH}: a Linux kernel TPM 2.0 character device, normally {@code
 * /dev/tpmrm0} (the kernel resource manager). The path is opened exactly as given: there is no
 * fallback to another device. Commands are written and responses read with {@code write()},
 * {@code poll()} and {@code read()} through JNA, within the I/O timeout.
 *
 * <p>Errors: a missing device or missing permission is {@code TPM_UNREACHABLE} (for a permission
 * error the message names the node's owner, group and mode from {@code stat()}, and the group to
 * join), a raw device held by another process is {@code TPM_BUSY}, everything else (including a
 * timeout) is {@code TPM_TRANSPORT} with the errno. On an OS other than Linux, {@code open} fails
 * with {@code TPM_PLATFORM_UNSUPPORTED}.
 */
public final class DeviceTransportProvider implements TpmTransportProvider {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceTransportProvider.class);

  /** {@code tpm0}, {@code tpm1}, ...: the raw devices, as opposed to {@code tpmrm0}. */
  private static final Pattern RAW_DEVICE = Pattern.compile("tpm[0-9]+");

  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;

  /** Used by {@link java.util.ServiceLoader}. */
  public DeviceTransportProvider() {}

  @Override
  public String scheme() {
    return TpmUri.DEVICE;
  }

  @Override
  public TpmTransport open(TpmUri uri, Duration ioTimeout) throws KeytrustException {
    if (!TpmUri.DEVICE.equals(uri.scheme()) || uri.path() == null) {
      throw new KeytrustBugException("DeviceTransportProvider asked to open " + uri);
    }
    if (ioTimeout == null || ioTimeout.isNegative() || ioTimeout.isZero()) {
      throw new KeytrustException(
          CoreErrorCode.INVALID_ARGUMENT, "The TPM I/O timeout must be positive, got " + ioTimeout + ".");
    }
    String path = uri.path();
    LibC libc = LinuxLibC.get();
    if (lacksResourceManager(path)) {
      LOG.warn(
          "{} is a raw TPM device without the kernel resource manager: only one process can open"
              + " it and objects or sessions left loaded leak to the next user; prefer {}",
          path, resourceManagerPath(path));
    }
    int fd;
    int errno;
    do {
      fd = libc.open(path, LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NONBLOCK);
      errno = fd < 0 ? Native.getLastError() : 0;
    } while (errno == LibC.EINTR);
    if (fd < 0) {
      throw openFailure(path, errno, LinuxLibC.describe(libc, errno));
    }
    if (!isCharacterDevice(path)) {
      libc.close(fd);
      throw new KeytrustException(
          CoreErrorCode.TPM_UNREACHABLE,
          path + " is not a character device: device: expects a kernel TPM device such as"
              + " /dev/tpmrm0; for a swtpm Unix socket use unix:PATH, for TCP mssim://HOST:PORT.");
    }
    LOG.debug("opened TPM device {} (fd {})", path, fd);
    return new FdTransport(libc, fd, uri.toString(), ioTimeout);
  }

  /** True for {@code /dev/tpmN}, which has no resource manager in front of it. */
  static boolean lacksResourceManager(String path) {
    Path name = Path.of(path).getFileName();
    return name != null && RAW_DEVICE.matcher(name.toString()).matches();
  }

  /** {@code /dev/tpmrmN} for {@code /dev/tpmN}. */
  static String resourceManagerPath(String rawPath) {
    Path raw = Path.of(rawPath);
    return raw.resolveSibling("tpmrm" + raw.getFileName().toString().substring(3)).toString();
  }

  /** Maps an {@code open()} errno to the error the user sees, looking at the node for EACCES. */
  static KeytrustException openFailure(String path, int errno, String strerror) {
    TpmDeviceNode node =
        errno == LibC.EACCES || errno == LibC.EPERM ? TpmDeviceNode.of(Path.of(path)) : null;
    return openFailure(path, errno, strerror, node);
  }

  /**
   * Maps an {@code open()} errno to the error the user sees.
   *
   * @param node the node's owner, group and mode, or null when they cannot be read
   */
  static KeytrustException openFailure(String path, int errno, String strerror, TpmDeviceNode node) {
    LastErrorException cause = new LastErrorException(errno);
    switch (errno) {
      case LibC.ENOENT:
        return new KeytrustException(
            CoreErrorCode.TPM_UNREACHABLE,
            "No TPM device at " + path + ": is the TPM enabled in firmware, and tpm_tis or tpm_crb"
                + " loaded? A simulator is named by the TPM URI mssim://HOST:PORT.",
            cause);
      case LibC.EACCES:
      case LibC.EPERM:
        return new KeytrustException(
            CoreErrorCode.TPM_UNREACHABLE,
            "No permission to open " + path + " (" + strerror + "): " + permissionAdvice(node),
            cause);
      case LibC.EBUSY:
        return new KeytrustException(
            CoreErrorCode.TPM_BUSY,
            "Another process holds " + path + " (" + strerror + "): the raw device admits one"
                + " process at a time; " + busyAdvice(path),
            cause);
      case LibC.ENXIO:
      case LibC.ENODEV:
        return new KeytrustException(
            CoreErrorCode.TPM_UNREACHABLE,
            "No TPM answers behind " + path + " (" + strerror + "): it is not a TPM character"
                + " device or its driver is gone; for a swtpm Unix socket use unix:PATH.",
            cause);
      default:
        return new KeytrustException(
            CoreErrorCode.TPM_TRANSPORT, "Cannot open " + path + ": " + strerror + ".", cause);
    }
  }

  /** What to do about EACCES/EPERM, from who owns the node. */
  private static String permissionAdvice(TpmDeviceNode owner) {
    if (owner == null || owner.permissions() == null) {
      return "add your user to the group that owns the device (see ls -l; on Debian it is tss)"
          + " and log in again.";
    }
    String facts = "it is owned by " + owner.owner() + ":" + owner.group() + " with mode "
        + owner.permissions();
    if (owner.groupCanReadWrite()) {
      return facts + "; add your user to group " + owner.group() + " (sudo usermod -aG "
          + owner.group() + " $USER) and log in again. If you are in that group already, a"
          + " security policy (SELinux, AppArmor) may deny it.";
    }
    return facts + ", so only " + owner.owner() + " may use it; install the udev rules that give"
        + " it to group tss (Debian: package tpm-udev), add your user to tss and log in again.";
  }

  private static String busyAdvice(String path) {
    if (lacksResourceManager(path)) {
      return "use " + resourceManagerPath(path) + " (the kernel resource manager, shared safely)"
          + " instead, or stop the other TPM user (e.g. tpm2-abrmd, another keytrust).";
    }
    return "stop the other TPM user (e.g. tpm2-abrmd, another keytrust) and retry.";
  }

  private static boolean isCharacterDevice(String path) {
    try {
      Object mode = Files.getAttribute(Path.of(path), "unix:mode");
      return !(mode instanceof Integer) || (((Integer) mode) & S_IFMT) == S_IFCHR;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return true; // cannot tell: the first command will show whether a TPM answers
    }
  }
}
