package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the TPMs of a Linux machine from sysfs and {@code /dev}, and chooses the one {@code --tpm
 * auto} uses. Only reads files: it never opens a TPM.
 *
 * <p>For each {@code SYS/class/tpm/tpmN} (and each {@code DEV/tpmrmN} that sysfs does not list, as
 * in a container given the node alone):
 *
 * <ul>
 *   <li>the version: {@code tpm_version_major} (Linux 5.6 and later); else 2.0 when a resource
 *       manager exists ({@code SYS/class/tpmrm/tpmrmN} or {@code DEV/tpmrmN}: the kernel makes one
 *       for TPM 2.0 only); else 1.2 when the TPM 1.2 attribute {@code caps} is there; else unknown;
 *   <li>the nodes {@code DEV/tpmN} (raw) and {@code DEV/tpmrmN} (resource manager), with their
 *       owner, group, mode and whether this process may use them;
 *   <li>the driver, from the {@code device/driver} link.
 * </ul>
 *
 * <p>{@link #chooseAuto()} takes the first TPM 2.0 (lowest N) that has a resource manager node. It
 * never chooses a raw {@code /dev/tpmN}: a raw device admits one process at a time and leaks
 * loaded objects and sessions between users. Naming {@code device:/dev/tpm0} explicitly still works.
 * Tests pass a fake sysfs and {@code /dev} tree to the constructor.
 */
public final class TpmDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger(TpmDiscovery.class);
  private static final Pattern TPM = Pattern.compile("tpm([0-9]{1,6})");
  private static final Pattern TPMRM = Pattern.compile("tpmrm([0-9]{1,6})");

  private final Path sysfs;
  private final Path dev;

  /**
   * @param sysfsRoot where sysfs is mounted, normally {@code /sys}
   * @param devRoot where the device nodes are, normally {@code /dev}
   */
  public TpmDiscovery(Path sysfsRoot, Path devRoot) {
    this.sysfs = Objects.requireNonNull(sysfsRoot, "sysfsRoot");
    this.dev = Objects.requireNonNull(devRoot, "devRoot");
  }

  /** The running system: {@code /sys} and {@code /dev}. */
  public static TpmDiscovery system() {
    return new TpmDiscovery(Path.of("/sys"), Path.of("/dev"));
  }

  /** The TPMs found, lowest number first; empty when there are none. */
  public List<DiscoveredTpm> list() {
    TreeSet<Integer> numbers = new TreeSet<>();
    numbers.addAll(numbered(sysfs.resolve("class/tpm"), TPM));
    numbers.addAll(numbered(dev, TPMRM));
    List<DiscoveredTpm> found = new ArrayList<>();
    for (int n : numbers) {
      found.add(describe(n));
    }
    return List.copyOf(found);
  }

  /**
   * The TPM {@code --tpm auto} uses: {@code device:} of the first TPM 2.0 resource manager node.
   *
   * @throws KeytrustException {@code TPM_UNREACHABLE} when there is no TPM; {@code
   *     TPM_NO_RESOURCE_MANAGER} when a TPM 2.0 has only a raw node; {@code
   *     TPM_VERSION_UNSUPPORTED} when the TPMs found are not TPM 2.0
   */
  public TpmUri chooseAuto() throws KeytrustException {
    List<DiscoveredTpm> tpms = list();
    for (DiscoveredTpm t : tpms) {
      if (t.usableByAuto()) {
        LOG.debug("--tpm auto: {} (TPM {}, {})", t.resourceManagerUri(), t.version(), t.versionSource());
        return t.resourceManagerUri();
      }
    }
    if (tpms.isEmpty()) {
      throw new KeytrustException(
          CoreErrorCode.TPM_UNREACHABLE,
          "No TPM found: " + sysfs.resolve("class/tpm") + " lists none and " + dev
              + " has no tpmrm node. Enable the TPM (TPM 2.0, fTPM or PTT) in the firmware setup and"
              + " check that the tpm_tis or tpm_crb driver is loaded; for a simulator use the TPM URI"
              + " mssim://HOST:PORT or unix:PATH, or 'software' for software keys.");
    }
    for (DiscoveredTpm t : tpms) {
      if (t.version() == TpmVersion.TPM_2_0) {
        String raw = t.rawNode() == null ? dev.resolve(t.name()).toString() : t.rawNode().path().toString();
        throw new KeytrustException(
            CoreErrorCode.TPM_NO_RESOURCE_MANAGER,
            "TPM " + t.name() + " is a TPM 2.0 without a resource manager node ("
                + dev.resolve("tpmrm" + t.name().substring(3)) + " is missing: a kernel before 4.12,"
                + " or udev did not create it). The TPM URI 'auto' never uses the raw device " + raw
                + ", which admits one process at a time and leaks objects between users: name it"
                + " with the TPM URI device:" + raw + " if nothing else uses the TPM, or update the"
                + " kernel.");
      }
    }
    DiscoveredTpm first = tpms.get(0);
    if (first.version() == TpmVersion.TPM_1_2) {
      throw new KeytrustException(
          CoreErrorCode.TPM_VERSION_UNSUPPORTED,
          "The TPM found, " + first.name() + ", is a TPM 1.2 (from " + first.versionSource()
              + ") and keytrust needs a TPM 2.0: switch the TPM to 2.0 in the firmware setup if it"
              + " offers that, or use 'software' keys.");
    }
    throw new KeytrustException(
        CoreErrorCode.TPM_VERSION_UNSUPPORTED,
        "The TPM found, " + first.name() + ", has no resource manager node and the kernel does not"
            + " say its version (no tpm_version_major): keytrust needs a TPM 2.0. If it is one,"
            + " name it with the TPM URI device:" + dev.resolve(first.name()) + ".");
  }

  private DiscoveredTpm describe(int n) {
    Path classDir = sysfs.resolve("class/tpm/tpm" + n);
    TpmDeviceNode raw = TpmDeviceNode.of(dev.resolve("tpm" + n));
    TpmDeviceNode rm = TpmDeviceNode.of(dev.resolve("tpmrm" + n));
    boolean rmInSysfs = Files.exists(sysfs.resolve("class/tpmrm/tpmrm" + n));
    TpmVersion version;
    String source;
    String major = readLine(classDir.resolve("tpm_version_major"));
    if ("2".equals(major)) {
      version = TpmVersion.TPM_2_0;
      source = "tpm_version_major";
    } else if ("1".equals(major)) {
      version = TpmVersion.TPM_1_2;
      source = "tpm_version_major";
    } else if (rmInSysfs || rm != null) {
      version = TpmVersion.TPM_2_0;
      source = "its resource manager, which only TPM 2.0 has";
    } else if (Files.exists(classDir.resolve("caps")) || Files.exists(classDir.resolve("device/caps"))) {
      version = TpmVersion.TPM_1_2;
      source = "the TPM 1.2 attribute caps";
    } else {
      version = TpmVersion.UNKNOWN;
      source = Files.isDirectory(classDir) ? "sysfs, which does not say" : "a device node without sysfs entry";
    }
    return new DiscoveredTpm("tpm" + n, version, source, raw, rm, driver(classDir));
  }

  private static String driver(Path classDir) {
    Path link = classDir.resolve("device/driver");
    try {
      if (Files.isSymbolicLink(link)) {
        Path target = Files.readSymbolicLink(link).getFileName();
        return target == null ? null : target.toString();
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot read {}: {}", link, e.toString());
    }
    return null;
  }

  /** The first line of a small sysfs attribute, trimmed; null when missing or unreadable. */
  private static String readLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
      return lines.isEmpty() ? null : lines.get(0).trim();
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  private static List<Integer> numbered(Path dir, Pattern pattern) {
    List<Integer> numbers = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return numbers;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      entries.forEach(
          p -> {
            Matcher m = pattern.matcher(p.getFileName().toString());
            if (m.matches()) {
              numbers.add(Integer.parseInt(m.group(1)));
            }
          });
    } catch (IOException | SecurityException e) {
      LOG.debug("cannot list {}: {}", dir, e.toString());
    }
    return numbers;
  }
}
