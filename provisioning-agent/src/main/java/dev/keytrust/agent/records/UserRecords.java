package dev.keytrust.agent.records;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.store.OwnerOnlyFiles;
import dev.keytrust.store.TextRecord;
import dev.keytrust.store.UserNames;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's records of a user, kept beside the key store (the provisioning journal, the
 * registration receipt), and the user's work lock.
 *
 * <pre>
 *   ROOT/                    the key store's root
 *     .records/              0700
 *       alice/               0700   one directory per user ({@link UserNames#directoryName})
 *         journal, receipt   0600   records: {@link TextRecord}s, SHA-256 checksummed
 *         .user.lock         0600   the user's work lock
 * </pre>
 *
 * <p>Records live outside the user's key directory: saving or deleting a key leaves them alone,
 * and they may exist before the user has a key. They are written atomically through {@link
 * OwnerOnlyFiles}, never hold a secret, and fail with the key store's codes (STORE_CORRUPT naming
 * the file when damaged, STORE_VERSION_UNSUPPORTED when a newer keytrust wrote them).
 *
 * <p><b>Checks.</b> Taking the user's lock ({@link #lock}) checks the store root, {@code .records}
 * and the user's directory (real directories, owner-only; see {@link OwnerOnlyFiles}), making what
 * is missing, and removes the temporary files interrupted writes left there. While this JVM holds
 * the lock, the user's record writes rely on that check instead of repeating it before every
 * write: keytrust never removes a record directory, the three directories are owner-only (only
 * this account, or root, can rename, replace or change anything in them), and the lock's holder is
 * the only writer of the user's records. What the check cannot stop, it could not stop before
 * either: this account (or root) swapping a directory for a link between a check and the write
 * after it; the record file itself is still never followed as a link (it is written as a new file
 * and renamed into place). Writes without the lock check everything first, as reads always do.
 */
public final class UserRecords {
  private static final Logger LOG = LoggerFactory.getLogger(UserRecords.class);

  /** The folder of user records, beside the user directories: {@code ROOT/.records}. */
  static final String RECORDS_DIR = ".records";
  private static final String USER_LOCK_FILE = ".user.lock";
  private static final Set<Path> USER_LOCKS_HELD = ConcurrentHashMap.newKeySet();
  private static final OwnerOnlyFiles.Codes CODES = new OwnerOnlyFiles.Codes(
      CoreErrorCode.STORE_IO, CoreErrorCode.STORE_PERMISSIONS, CoreErrorCode.STORE_CORRUPT);

  private final Path root;
  private final Path records;
  private final OwnerOnlyFiles files = new OwnerOnlyFiles("key store", CODES);

  /** The records beside the key store at {@code store}'s root. Nothing is read or created yet. */
  public UserRecords(KeyContainerStore store) {
    this.root = Objects.requireNonNull(store, "store").root();
    this.records = root.resolve(RECORDS_DIR);
  }

  /**
   * Reads a record of the user ({@code ROOT/.records/USER/NAME}), or empty when there is none.
   *
   * @param name the record's file name, {@code [a-z][a-z0-9-]*}
   * @throws KeytrustException STORE_CORRUPT naming the file when it is damaged or of another
   *     format; STORE_VERSION_UNSUPPORTED when a newer keytrust wrote it
   */
  public Optional<UserRecord> read(String user, String name, String format, int supportedVersion)
      throws KeytrustException {
    return read(user, name, format, supportedVersion,
        "Delete it by hand; keytrust then starts that work for the user afresh.");
  }

  /**
   * As {@link #read(String, String, String, int)}, with what a damaged record's message tells the user
   * to do: the record's owner knows what deleting it means.
   *
   * @param remedy the advice, in which {@code {file}} stands for the record's path
   */
  public Optional<UserRecord> read(String user, String name, String format, int supportedVersion, String remedy)
      throws KeytrustException {
    checkName(name);
    Path dir = directory(user);
    Path file = dir.resolve(name);
    if (!Files.isDirectory(records, LinkOption.NOFOLLOW_LINKS) || !files.directoryExists(dir, "nothing was read")) {
      return Optional.empty();
    }
    Optional<byte[]> data = files.read(file, TextRecord.MAX_SIZE);
    if (data.isEmpty()) {
      return Optional.empty();
    }
    try {
      TextRecord r = TextRecord.parse(data.get(), format, supportedVersion);
      if (!r.sha256Matches()) {
        throw new TextRecord.FormatException("its checksum does not match its content");
      }
      return Optional.of(new UserRecord(format, r.version(), new LinkedHashMap<>(r.fields())));
    } catch (TextRecord.FormatException e) {
      if (e.unsupportedVersion() != 0) {
        throw new KeytrustException(CoreErrorCode.STORE_VERSION_UNSUPPORTED,
            "The record " + file + " of user '" + user + "' has format version " + e.unsupportedVersion()
                + "; this keytrust reads up to version " + supportedVersion + ". Use the keytrust version that wrote"
                + " it.", e);
      }
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The record " + file + " of user '" + user + "' is damaged (" + e.getMessage() + "). "
              + remedy.replace("{file}", file.toString()), e);
    }
  }

  /**
   * Writes (or replaces) a record of the user atomically: the file on disk is always either the
   * old record or the new one, never a mix.
   */
  public void write(String user, String name, UserRecord record) throws KeytrustException {
    write(user, name, record, OwnerOnlyFiles.Durability.DURABLE);
  }

  /**
   * {@link #write(String, String, UserRecord)}, forced to disk or only atomic ({@link
   * OwnerOnlyFiles.Durability#ATOMIC}: survives a killed process; a power cut may leave the old
   * record, which the caller's recovery must handle).
   */
  public void write(String user, String name, UserRecord record, OwnerOnlyFiles.Durability durability)
      throws KeytrustException {
    checkName(name);
    TextRecord.Writer w = new TextRecord.Writer(record.format(), record.version());
    record.fields().forEach(w::text);
    byte[] content = w.sealSha256();
    Path dir = directory(user);
    try {
      if (USER_LOCKS_HELD.contains(lockKey(dir))) {
        // checked and swept when the lock was taken (see the class comment)
        OwnerOnlyFiles.writeFile(dir, name, content, true, durability);
      } else {
        ensureDirectory(user);
        files.writeAtomically(dir, name, content, true, durability);
      }
    } catch (IOException e) {
      throw files.io("write " + dir.resolve(name), e);
    }
  }

  /** Deletes a record of the user; nothing happens when it does not exist. */
  public void delete(String user, String name) throws KeytrustException {
    checkName(name);
    Path dir = directory(user);
    if (!Files.isDirectory(records, LinkOption.NOFOLLOW_LINKS) || !files.directoryExists(dir, "nothing was deleted")) {
      return;
    }
    files.delete(dir.resolve(name));
  }

  /**
   * Takes the user's exclusive work lock, across processes, without waiting: one provisioning, PIN
   * change or reset per user at a time. Release it by closing the returned handle. A process that
   * dies releases its lock.
   *
   * @throws KeytrustException STORE_BUSY when another run (in this or another process) holds it
   */
  public UserLock lock(String user) throws KeytrustException {
    Path dir = directory(user);
    boolean made = ensureDirectory(user);
    Path file = dir.resolve(USER_LOCK_FILE);
    Path key = lockKey(dir);
    if (!USER_LOCKS_HELD.add(key)) {
      throw busy(user);
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
          OwnerOnlyFiles.isPosix(file) ? OwnerOnlyFiles.fileAttributes() : new FileAttribute<?>[0]);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        throw busy(user);
      }
      if (!made) {
        // once per lock: the record writes under it do not look again (see the class comment)
        OwnerOnlyFiles.removeStaleTemporaryFiles(dir);
      }
      FileChannel held = ch;
      return () -> {
        try {
          held.close();
        } catch (IOException e) {
          LOG.debug("Closing the user lock {}: {}", file, e.toString());
        } finally {
          USER_LOCKS_HELD.remove(key);
        }
      };
    } catch (IOException e) {
      closeQuietly(ch);
      USER_LOCKS_HELD.remove(key);
      throw files.io("lock " + file, e);
    } catch (KeytrustException | RuntimeException e) {
      closeQuietly(ch);
      USER_LOCKS_HELD.remove(key);
      throw e;
    }
  }

  private Path directory(String user) throws KeytrustException {
    return records.resolve(UserNames.directoryName(user));
  }

  /** The key of the user's lock in {@link #USER_LOCKS_HELD}: its file, absolute. */
  private static Path lockKey(Path dir) {
    return dir.resolve(USER_LOCK_FILE).toAbsolutePath().normalize();
  }

  /**
   * Checks the store root, {@code .records} and the user's directory, making what is missing.
   *
   * @return true when the user's directory was made now (it is empty)
   */
  private boolean ensureDirectory(String user) throws KeytrustException {
    Path dir = directory(user);
    files.ensureDirectory(root);
    if (!files.directoryExists(records, "nothing was written")) {
      files.ensureChildDirectory(records);
      if (!files.directoryExists(records, "nothing was written")) {
        throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
            "The key store entry " + records + " is missing; keytrust cannot write records there. Check the disk.");
      }
    }
    return files.ensureChildDirectory(dir);
  }

  private static KeytrustException busy(String user) {
    return new KeytrustException(CoreErrorCode.STORE_BUSY,
        "Another keytrust run is working on the key of user '" + user + "' (a provisioning, PIN change or reset)."
            + " Wait until it has finished, then try again.");
  }

  /** A record name is {@code [a-z][a-z0-9-]{0,31}} (checked by hand: once per record read or written). */
  private static void checkName(String name) {
    boolean valid = !name.isEmpty() && name.length() <= 32 && name.charAt(0) >= 'a' && name.charAt(0) <= 'z';
    for (int i = 1; valid && i < name.length(); i++) {
      char c = name.charAt(i);
      valid = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }
    if (!valid) {
      throw new dev.keytrust.error.KeytrustBugException("invalid record name " + name);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        LOG.debug("close: {}", e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "UserRecords[" + records + "]";
  }
}
