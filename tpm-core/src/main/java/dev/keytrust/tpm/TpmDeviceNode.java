package dev.keytrust.tpm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * A TPM device node under {@code /dev} and what {@code stat()} and {@code access()} say about it:
 * who owns it, its mode, and whether this process may open it for reading and writing.
 *
 * @param path the node, e.g. {@code /dev/tpmrm0}
 * @param owner the owning user's name, or null when the attributes cannot be read
 * @param group the owning group's name (e.g. {@code tss}), or null when unknown
 * @param permissions the mode as {@code ls -l} prints it (e.g. {@code rw-rw----}), or null
 * @param accessible true when this process may read and write it
 */
public record TpmDeviceNode(Path path, String owner, String group, String permissions, boolean accessible) {

  public TpmDeviceNode {
    Objects.requireNonNull(path, "path");
  }

  /** Reads the node's attributes; null when there is nothing at {@code path}. */
  public static TpmDeviceNode of(Path path) {
    if (!Files.exists(path)) {
      return null;
    }
    boolean accessible = Files.isReadable(path) && Files.isWritable(path);
    try {
      PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class);
      return new TpmDeviceNode(path, a.owner().getName(), a.group().getName(),
          PosixFilePermissions.toString(a.permissions()), accessible);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return new TpmDeviceNode(path, null, null, null, accessible);
    }
  }

  /** True when members of {@link #group()} may read and write the node. */
  public boolean groupCanReadWrite() {
    if (permissions == null) {
      return false;
    }
    Set<PosixFilePermission> p = PosixFilePermissions.fromString(permissions);
    return p.contains(PosixFilePermission.GROUP_READ) && p.contains(PosixFilePermission.GROUP_WRITE);
  }

  /** E.g. {@code /dev/tpmrm0 (rw-rw---- tss:tss, usable by this user)}. */
  @Override
  public String toString() {
    String mode = permissions == null ? "attributes unreadable" : permissions + " " + owner + ":" + group;
    return path + " (" + mode + ", " + (accessible ? "usable" : "not usable") + " by this user)";
  }
}
