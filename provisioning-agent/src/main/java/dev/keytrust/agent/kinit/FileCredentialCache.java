package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a TGT to an MIT FILE credential cache ({@link CcacheEncoder}) that MIT's and Heimdal's
 * {@code klist}, {@code kvno} and GSSAPI read. The cache is replaced atomically: the bytes go to a
 * new file of mode 0600 next to it, are forced to disk, and the file is renamed over the cache, so
 * a reader (or a kill at any moment) sees the old cache or the new one, never a part. A symbolic
 * link at the cache path is replaced, not followed.
 */
public final class FileCredentialCache {
  private FileCredentialCache() {}

  /**
   * Writes {@code credentials} as the only credential of the cache at {@code path}, its client the
   * default principal.
   *
   * @throws AgentException KINIT_CCACHE_WRITE when the folder is missing or not writable
   */
  public static void write(Path path, KerberosCredentials credentials) throws AgentException {
    write(path, credentials, -1, -1);
  }

  /**
   * As {@link #write(Path, KerberosCredentials)}, the cache owned by user {@code uid} and group
   * {@code gid} (given to them before it is renamed into place, so the cache is never another
   * user's): for a root process writing a user's cache, such as {@code keytrust pam-auth}.
   *
   * @throws AgentException KINIT_CCACHE_WRITE when the folder is missing or not writable, or the
   *     file cannot be given to that owner (changing a file's owner needs root)
   */
  public static void write(Path path, KerberosCredentials credentials, int uid, int gid)
      throws AgentException {
    Objects.requireNonNull(credentials, "credentials");
    Path target = path.toAbsolutePath().normalize();
    Path dir = target.getParent();
    byte[] bytes = CcacheEncoder.encode(credentials);
    Path tmp = null;
    Thread cleanup = null;
    try {
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Path created = tmp;
      // a SIGTERM while the temporary file exists removes it (SIGKILL cannot be caught: the name
      // starts with a dot and the file is 0600)
      cleanup = new Thread(() -> deleteQuietly(created), "keytrust-ccache-cleanup");
      Runtime.getRuntime().addShutdownHook(cleanup);
      if (uid >= 0) {
        Files.setAttribute(tmp, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(tmp, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system cannot rename atomically", e);
      }
      tmp = null;
    } catch (IOException | UnsupportedOperationException e) {
      throw new AgentException(AgentErrorCode.KINIT_CCACHE_WRITE, "The credential cache " + target
          + " cannot be written: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()) + ". Choose a writable place for it.");
    } finally {
      Arrays.fill(bytes, (byte) 0);
      if (tmp != null) {
        deleteQuietly(tmp);
      }
      if (cleanup != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs anyway
        }
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: it is 0600 and hidden
    }
  }
}
