package dev.keytrust.tpm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One TPM the Linux kernel reports, as {@link TpmDiscovery} found it.
 *
 * @param name the kernel's name, e.g. {@code tpm0}
 * @param version the TPM family
 * @param versionSource where the version came from, e.g. {@code tpm_version_major}
 * @param rawNode the raw device {@code /dev/tpmN}, or null when there is no such node
 * @param resourceManagerNode the resource manager {@code /dev/tpmrmN}, or null when absent
 * @param driver the kernel driver (e.g. {@code tpm_crb}, {@code tpm_tis}), or null when unknown
 */
public record DiscoveredTpm(
    String name,
    TpmVersion version,
    String versionSource,
    TpmDeviceNode rawNode,
    TpmDeviceNode resourceManagerNode,
    String driver) {

  public DiscoveredTpm {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(versionSource, "versionSource");
  }

  /** True for a TPM 2.0 with a resource manager node: what {@code --tpm auto} may choose. */
  public boolean usableByAuto() {
    return version == TpmVersion.TPM_2_0 && resourceManagerNode != null;
  }

  /** The URI that opens it through the resource manager, or null without one. */
  public TpmUri resourceManagerUri() {
    return resourceManagerNode == null
        ? null
        : new TpmUri(TpmUri.DEVICE, null, -1, resourceManagerNode.path().toString(),
            TpmUri.DEVICE + ":" + resourceManagerNode.path());
  }

  /** Human-readable lines for status displays: version, driver, nodes. */
  public List<String> facts() {
    List<String> facts = new ArrayList<>();
    facts.add(name + ": TPM " + version + " (from " + versionSource + ")"
        + (driver == null ? "" : ", driver " + driver));
    facts.add("resource manager: "
        + (resourceManagerNode == null ? "none" : resourceManagerNode.toString()));
    facts.add("raw device: " + (rawNode == null ? "none" : rawNode.toString()));
    return List.copyOf(facts);
  }
}
