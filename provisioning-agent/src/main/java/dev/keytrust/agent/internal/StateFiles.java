package dev.keytrust.agent.internal;

import dev.keytrust.agent.AgentException;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-user state files in a directory the caller chooses: one {@link StateRecord} per user and
 * kind, named {@code <kind>-<SHA-256 of the UTF-8 user name, hex>} so that any user name gives a
 * safe file name. Writes are atomic (temporary file in the same directory, fsync, rename, fsync of
 * the directory); files are created owner-only (0600) in a directory created owner-only (0700).
 * Reading refuses symbolic links and, on POSIX file systems, files any other user can access.
 * On file systems without POSIX permissions (Windows) the permission checks are skipped: the
 * directory's ACL is the caller's to set.
 */
public final class StateFiles {
  private static final Logger LOG = LoggerFactory.getLogger(StateFiles.class);
  /** Longest user name accepted (as the key store). */
  public static final int MAX_USER_LENGTH = 255;

  private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final ErrorCode code;
  private final String what;

  /**
   * @param dir the state directory (created 0700 on first write)
   * @param ioCode the error code of I/O, permission and format failures
   * @param what what the files hold, for messages ("MFA state", "PIN history")
   */
  public StateFiles(Path dir, ErrorCode ioCode, String what) {
    this.dir = dir.toAbsolutePath().normalize();
    this.code = ioCode;
    this.what = what;
  }

  public Path dir() {
    return dir;
  }

  /** The file of {@code kind} for {@code user}. */
  public Path fileFor(String kind, String user) throws AgentException {
    checkUser(user);
    return dir.resolve(kind + "-" + HexFormat.of().formatHex(Sha256.of(user.getBytes(StandardCharsets.UTF_8))));
  }

  /**
   * Checks a user name: 1..{@value #MAX_USER_LENGTH} characters, no control characters, no
   * unpaired surrogates.
   *
   * @throws AgentException INVALID_ARGUMENT otherwise
   */
  public static void checkUser(String user) throws AgentException {
    if (user == null || user.isEmpty()) {
      throw new AgentException(CoreErrorCode.INVALID_ARGUMENT, "The user name is empty: give a user name.");
    }
    if (user.length() > MAX_USER_LENGTH) {
      throw new AgentException(CoreErrorCode.INVALID_ARGUMENT,
          "The user name is longer than " + MAX_USER_LENGTH + " characters: give a shorter name.");
    }
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      boolean unpaired = Character.isHighSurrogate(c)
          ? i + 1 >= user.length() || !Character.isLowSurrogate(user.charAt(++i))
          : Character.isLowSurrogate(c);
      if (Character.isISOControl(c) || unpaired) {
        throw new AgentException(CoreErrorCode.INVALID_ARGUMENT,
            "The user name contains a control character or broken Unicode at position " + (i + 1)
                + ": give a printable name.");
      }
    }
  }

  /**
   * Reads and parses a state file.
   *
   * @return empty when the file does not exist
   * @throws AgentException the I/O code when the file is a link, accessible to others, unreadable,
   *     or not a well-formed record of {@code format} version {@code version}
   */
  public Optional<StateRecord> read(Path file, String format, int version) throws AgentException {
    byte[] data;
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new AgentException(code, "The " + what + " file " + file + " is not a regular file (a link or a"
            + " folder?): remove it; keytrust writes a new one.");
      }
      checkOwnerOnly(file);
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        data = in.readNBytes(StateRecord.MAX_SIZE + 1);
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw io("read the " + what + " file " + file, e);
    }
    try {
      return Optional.of(StateRecord.parse(data, format, version));
    } catch (StateRecord.FormatException e) {
      if (e.foundVersion() != 0) {
        throw new AgentException(code, "The " + what + " file " + file + " has format version " + e.foundVersion()
            + ", which this keytrust does not read: use the keytrust version that wrote it, or remove the file.", e);
      }
      throw new AgentException(code, "The " + what + " file " + file + " is damaged (" + e.getMessage()
          + "): remove it; keytrust writes a new one.", e);
    }
  }

  /** Writes a state file atomically and owner-only, creating the directory (0700) if needed. */
  public void write(Path file, StateRecord record) throws AgentException {
    byte[] content = record.toBytes();
    Path tmp = null;
    try {
      ensureDirectory();
      byte[] random = new byte[8];
      RANDOM.nextBytes(random);
      tmp = dir.resolve("." + file.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp");
      try (FileChannel ch = FileChannel.open(tmp,
          Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), fileAttributes())) {
        if (posix()) {
          Files.setPosixFilePermissions(tmp, FILE_PERMISSIONS);
        }
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
      forceDirectory();
    } catch (IOException e) {
      throw io("write the " + what + " file " + file, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.debug("Cannot remove the temporary file {}: {}", tmp, e.toString());
        }
      }
    }
  }

  /** Removes a state file if present. */
  public void delete(Path file) throws AgentException {
    try {
      if (Files.deleteIfExists(file)) {
        forceDirectory();
      }
    } catch (IOException e) {
      throw io("remove the " + what + " file " + file, e);
    }
  }

  private void ensureDirectory() throws IOException, AgentException {
    if (!Files.exists(dir)) {
      Files.createDirectories(dir, posix(dir.getParent()) ? dirAttributes() : new FileAttribute<?>[0]);
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new AgentException(code, "The " + what + " directory " + dir + " is not a directory: give a folder.");
    }
    if (posix()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
      if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new AgentException(code, "The " + what + " directory " + dir + " is writable by other users ("
            + PosixFilePermissions.toString(perms) + "), who could replace its files: chmod 700 " + dir + ".");
      }
    }
  }

  private void checkOwnerOnly(Path file) throws IOException, AgentException {
    if (!posix()) {
      return;
    }
    PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
    open.addAll(attrs.permissions());
    open.retainAll(GROUP_OR_OTHERS);
    if (!open.isEmpty()) {
      throw new AgentException(code, "The " + what + " file " + file + " is accessible to other users ("
          + PosixFilePermissions.toString(attrs.permissions()) + "): run chmod 600 " + file
          + " (and check who changed it).");
    }
  }

  /**
   * Reads a configuration file that holds a secret (TOTP seed, bearer token) into a fresh array the
   * caller clears. On POSIX file systems the file (after following links) must not be readable or
   * writable by others nor writable by its group.
   *
   * @throws AgentException {@code code} when the file is missing, unreadable, too open, empty or
   *     larger than {@code maxBytes}
   */
  public static byte[] readSecretFile(Path file, int maxBytes, ErrorCode code, String what) throws AgentException {
    try {
      if (!Files.isRegularFile(file)) {
        throw new AgentException(code, "The " + what + " " + file + " does not exist or is not a file: check the path.");
      }
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      if (view != null) {
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)
            || perms.contains(PosixFilePermission.GROUP_WRITE)) {
          throw new AgentException(code, "The " + what + " " + file + " is readable or writable by other users ("
              + PosixFilePermissions.toString(perms) + "), so its secret may be known: run chmod 600 " + file
              + ", and replace the secret if others could read it.");
        }
      }
      byte[] data;
      try (InputStream in = Files.newInputStream(file)) {
        data = in.readNBytes(maxBytes + 1);
      }
      if (data.length > maxBytes || data.length == 0) {
        java.util.Arrays.fill(data, (byte) 0);
        throw new AgentException(code, "The " + what + " " + file + " is "
            + (data.length == 0 ? "empty" : "larger than " + maxBytes + " bytes") + ": check that it is the right file.");
      }
      return data;
    } catch (AccessDeniedException e) {
      throw new AgentException(code, "No permission to read the " + what + " " + file
          + ": run keytrust as the user that owns it.", e);
    } catch (IOException e) {
      throw new AgentException(code, "Cannot read the " + what + " " + file + ": " + reason(e), e);
    }
  }

  private boolean posix() {
    return posix(Files.exists(dir) ? dir : dir.getParent());
  }

  private static boolean posix(Path p) {
    Path probe = p;
    while (probe != null && !Files.exists(probe)) {
      probe = probe.getParent();
    }
    return probe != null && Files.getFileAttributeView(probe, PosixFileAttributeView.class) != null;
  }

  private FileAttribute<?>[] fileAttributes() {
    return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)}
        : new FileAttribute<?>[0];
  }

  private static FileAttribute<?>[] dirAttributes() {
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS)};
  }

  private void forceDirectory() {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot force directory {} to disk: {}", dir, e.toString());
    }
  }

  private AgentException io(String action, IOException e) {
    return new AgentException(code, "Cannot " + action + ": " + reason(e)
        + ". Check that the state directory " + dir + " exists, belongs to you and has space.", e);
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
  }

  @Override
  public String toString() {
    return "StateFiles[" + what + " in " + dir + "]";
  }
}
