package dev.keytrust.agent.internal;

import dev.keytrust.agent.AgentException;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.Sha256;
import dev.keytrust.store.OwnerOnlyFiles;
import dev.keytrust.store.TextRecord;
import dev.keytrust.store.UserNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Per-user state files in a directory the caller chooses: one {@link TextRecord} per user and
 * kind, named {@code <kind>-<SHA-256 of the UTF-8 user name, hex>} so that any user name gives a
 * safe file name. Files go through the one file layer ({@link OwnerOnlyFiles}): atomic, durable,
 * owner-only writes, reads that refuse links and files other users can read or write.
 */
public final class StateFiles {
  /** Largest state file read. */
  public static final int MAX_SIZE = 64 * 1024;

  private final Path dir;
  private final ErrorCode code;
  private final String what;
  private final OwnerOnlyFiles files;

  /**
   * @param dir the state directory (created 0700 on first write)
   * @param ioCode the error code of I/O, permission and format failures
   * @param what what the files hold, for messages ("MFA state", "PIN history")
   */
  public StateFiles(Path dir, ErrorCode ioCode, String what) {
    this.dir = dir.toAbsolutePath().normalize();
    this.code = ioCode;
    this.what = what;
    this.files = new OwnerOnlyFiles(what, new OwnerOnlyFiles.Codes(ioCode, ioCode, ioCode),
        OwnerOnlyFiles.ReadableByOthers.REFUSE);
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
   * Checks a user name as the key store does ({@link UserNames#checkUser}).
   *
   * @throws AgentException INVALID_ARGUMENT otherwise
   */
  public static void checkUser(String user) throws AgentException {
    try {
      UserNames.checkUser(user);
    } catch (KeytrustException e) {
      throw new AgentException(e.code(), e.getMessage(), e);
    }
  }

  /**
   * Reads and parses a state file.
   *
   * @return empty when the file does not exist
   * @throws AgentException the I/O code when the file is a link, writable by others, unreadable,
   *     or not a well-formed, intact record of {@code format} version {@code version}
   */
  public Optional<TextRecord> read(Path file, String format, int version) throws AgentException {
    Optional<byte[]> data;
    try {
      data = files.read(file, MAX_SIZE, "Remove it; keytrust writes a new one.");
    } catch (KeytrustException e) {
      throw new AgentException(e.code(), e.getMessage(), e);
    }
    if (data.isEmpty()) {
      return Optional.empty();
    }
    try {
      if (data.get().length > MAX_SIZE) {
        throw new TextRecord.FormatException("larger than " + MAX_SIZE + " bytes");
      }
      TextRecord record = TextRecord.parse(data.get(), format, version);
      if (!record.sha256Matches()) {
        throw new TextRecord.FormatException("the checksum does not match (damaged or edited)");
      }
      return Optional.of(record);
    } catch (TextRecord.FormatException e) {
      if (e.unsupportedVersion() != 0) {
        throw new AgentException(code, "The " + what + " file " + file + " has format version "
            + e.unsupportedVersion() + ", which this keytrust does not read: use the keytrust version that wrote"
            + " it, or remove the file.", e);
      }
      throw new AgentException(code, "The " + what + " file " + file + " is damaged (" + e.getMessage()
          + "): remove it; keytrust writes a new one.", e);
    }
  }

  /** Writes a state file atomically and owner-only, creating the directory (0700) if needed. */
  public void write(Path file, TextRecord.Writer record) throws AgentException {
    write(file, record, OwnerOnlyFiles.Durability.DURABLE);
  }

  /**
   * {@link #write(Path, TextRecord.Writer)}, forced to disk or only atomic ({@link
   * OwnerOnlyFiles.Durability#ATOMIC}: a killed process leaves the old or the new file; a power cut
   * may leave the old one).
   */
  public void write(Path file, TextRecord.Writer record, OwnerOnlyFiles.Durability durability) throws AgentException {
    try {
      files.ensureDirectory(dir);
      files.writeAtomically(dir, file.getFileName().toString(), record.sealSha256(), true, durability);
    } catch (IOException e) {
      throw new AgentException(code, files.io("write the " + what + " file " + file, e).getMessage(), e);
    } catch (KeytrustException e) {
      throw new AgentException(e.code(), e.getMessage(), e);
    }
  }

  /** Removes a state file if present. */
  public void delete(Path file) throws AgentException {
    try {
      files.delete(file);
    } catch (KeytrustException e) {
      throw new AgentException(e.code(), e.getMessage(), e);
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
