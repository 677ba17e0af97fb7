package dev.keytrust.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Who owns a device node and its mode, as {@code stat()} reports them: names the group a user must
 * join when {@code open()} is denied.
 *
 * @param user the owning user's name (or uid)
 * @param group the owning group's name (or gid)
 * @param permissions the mode as {@code ls -l} prints it, e.g. {@code rw-rw----}
 */
record NodeOwner(String user, String group, String permissions) {

  /** The node's owner, or null when it cannot be read (missing node, no POSIX attributes). */
  static NodeOwner of(Path node) {
    try {
      PosixFileAttributes a = Files.readAttributes(node, PosixFileAttributes.class);
      return new NodeOwner(a.owner().getName(), a.group().getName(),
          PosixFilePermissions.toString(a.permissions()));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  /** True when members of {@link #group()} may both read and write the node. */
  boolean groupCanReadWrite() {
    Set<PosixFilePermission> p = PosixFilePermissions.fromString(permissions);
    return p.contains(PosixFilePermission.GROUP_READ) && p.contains(PosixFilePermission.GROUP_WRITE);
  }
}
