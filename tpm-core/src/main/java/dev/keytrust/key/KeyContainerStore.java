package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk key store: one directory per user under a root, holding that user's key file and
 * the provider's state for it (the software provider's attempt counter).
 *
 * <pre>
 *   ROOT/                    0700   default ~/.keytrust/keys ({@link #defaultRoot()})
 *     .lock                  0600   the store lock (format keytrust-store-lock, version 1; see below)
 *     alice/                 0700   one directory per user, name from {@link #directoryName(String)}
 *       key                  0600   the key container ({@link KeyFileFormat}), SHA-256 checksummed
 *       counter, ...         0600   provider state: {@link ProtectedKey#initialState()}, then
 *                                   {@link #writeFileAtomically}
 *     LAB%5Calice/                  user {@code LAB\alice}
 * </pre>
 *
 * <p><b>Writes</b> are atomic: a temporary file {@code .NAME.RANDOM.tmp} in the same directory
 * (created 0600), written, forced to disk, then renamed over the target ({@code ATOMIC_MOVE}), and
 * the directory is forced where the OS allows it. A new key file is linked into place with a
 * hard link so that two concurrent saves cannot both succeed. A crash leaves either the old or
 * the new file, plus at worst a temporary file that readers ignore and later writes remove once it
 * is older than ten minutes.
 *
 * <p><b>The key file is the commit point.</b> {@link #save} first removes files a user directory
 * without a key file still holds (left by an interrupted delete or save), then writes the key's
 * {@link ProtectedKey#initialState() initial provider state}, each file atomically and forced to
 * disk, and only then links the key file. {@link #delete} removes the key file first. So a key
 * file on disk always has its provider state, and a crash at any point leaves either no key (the
 * next save cleans up) or a complete one.
 *
 * <p><b>Locking</b>: {@link #save}, {@link #delete} and provider state updates ({@link #locked})
 * hold an exclusive {@link FileLock} on {@code ROOT/.lock} (and a lock inside this JVM, where file
 * locks do not exclude each other). The lock file is made once, atomically with its content, and
 * never rewritten or deleted by keytrust, so every process locks the same file. A lock file of
 * another version gives {@link CoreErrorCode#STORE_VERSION_UNSUPPORTED}: that keytrust may lock
 * differently.
 *
 * <p><b>Permissions</b> (POSIX file systems): directories are made 0700 and files 0600. An existing
 * directory or file that other users can read is tightened to owner-only with a warning; one
 * that other users can write is refused with {@link CoreErrorCode#STORE_PERMISSIONS}, because
 * another account may already have replaced its contents. On file systems without POSIX
 * permissions (Windows) files inherit the ACL of their directory; keep the root inside the user
 * profile, which is owner-only by default.
 *
 * <p><b>Integrity</b>: every file carries a format name, a version and a SHA-256 checksum line. A
 * truncated, half-written or edited key file gives {@link CoreErrorCode#STORE_CORRUPT} naming the file;
 * a file from a newer keytrust gives {@link CoreErrorCode#STORE_VERSION_UNSUPPORTED}. A damaged user
 * directory never affects other users' keys.
 *
 * <p><b>Links</b>: a user directory must be a real directory. One that is a symbolic link (or any
 * other non-directory) is never followed: reading, saving, writing state and deleting refuse it
 * with {@link CoreErrorCode#STORE_CORRUPT} and change nothing, so a link cannot make keytrust read,
 * write or delete files outside the store.
 *
 * <p><b>User names</b> are stored inside the key file and checked on read. On a case-insensitive
 * file system two names that differ only in case share a directory; the check then reports the
 * second as belonging to the first instead of handing out the wrong key.
 */
public final class KeyContainerStore {
  private static final Logger LOG = LoggerFactory.getLogger(KeyContainerStore.class);

  /** The key file of a user. */
  static final String KEY_FILE = "key";
  /** The store lock file in the root. */
  static final String LOCK_FILE = ".lock";
  static final String LOCK_FORMAT = "keytrust-store-lock";
  static final int LOCK_VERSION = 1;
  /** Longest user name, in UTF-16 characters. */
  public static final int MAX_USER_LENGTH = 255;
  /** Longest directory name most file systems accept, in bytes. */
  static final int MAX_DIRECTORY_NAME = 255;
  static final Duration STALE_TEMP_AGE = Duration.ofMinutes(10);

  private static final Pattern STATE_FILE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern TEMP_FILE_NAME = Pattern.compile("\\..+\\.[0-9a-f]{16}\\.tmp");
  private static final Pattern WINDOWS_RESERVED =
      Pattern.compile("(con|prn|aux|nul|com[0-9]|lpt[0-9])(\\..*)?", Pattern.CASE_INSENSITIVE);
  private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OTHERS_WRITE =
      EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** One lock per store root (real path) inside this JVM: FileLocks only exclude other processes. */
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path root;
  private final boolean posix;

  /** A store rooted at {@code root}. Nothing is read or created until the first operation. */
  public KeyContainerStore(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    this.posix = this.root.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** {@code <user.home>/.keytrust/keys}. */
  public static Path defaultRoot() {
    return Path.of(System.getProperty("user.home"), ".keytrust", "keys");
  }

  /** The root directory (absolute). */
  public Path root() {
    return root;
  }

  /**
   * The directory of {@code user}'s files (it may not exist yet).
   *
   * @throws KeytrustException INVALID_ARGUMENT when the user name is empty, too long or has
   *     control characters
   */
  public Path userDirectory(String user) throws KeytrustException {
    return root.resolve(directoryName(user));
  }

  /**
   * Saves a new key. The user must not have one. Files of the user's directory that belong to no
   * key are removed, the key's {@link ProtectedKey#initialState() initial provider state} is
   * written, and then the key file is linked into place (see the class comment).
   *
   * @throws KeytrustException KEY_EXISTS when the user already has a key (nothing is changed then)
   */
  public void save(KeyContainer c) throws KeytrustException {
    String user = c.user();
    Path dir = userDirectory(user);
    Path file = dir.resolve(KEY_FILE);
    byte[] content = KeyFileFormat.encode(c);
    Map<String, byte[]> state = c.protectedKey().initialState();
    try {
      state.keySet().forEach(KeyContainerStore::checkStateName);
      ensureRoot();
      locked(() -> {
        try {
          if (userDirectoryExists(user, dir, "nothing was saved")
              && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw keyExists(user, file);
          }
          ensureUserDirectory(dir);
          removeOrphans(dir);
          for (Map.Entry<String, byte[]> f : state.entrySet()) {
            writeAtomically(dir, f.getKey(), f.getValue(), true);
          }
          writeAtomically(dir, KEY_FILE, content, false);
        } catch (FileAlreadyExistsException e) {
          throw keyExists(user, file);
        } catch (IOException e) {
          throw io("write the key of user '" + user + "' to " + file, e);
        }
        return null;
      });
    } finally {
      state.values().forEach(b -> Arrays.fill(b, (byte) 0));
    }
    LOG.info("Saved the {} {} key {} of user '{}' in {}", c.provider().id(), c.algorithm().id(), c.keyIdHex(),
        user, dir);
  }

  /** The user's key, or empty when the user has none. */
  public Optional<KeyContainer> find(String user) throws KeytrustException {
    Path dir = userDirectory(user);
    Optional<byte[]> data = read(user, dir, KEY_FILE);
    if (data.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(KeyFileFormat.decode(data.get(), user, dir.resolve(KEY_FILE)));
  }

  /**
   * The user's key.
   *
   * @throws KeytrustException KEY_NOT_FOUND when the user has none
   */
  public KeyContainer load(String user) throws KeytrustException {
    Optional<KeyContainer> c = find(user);
    if (c.isEmpty()) {
      throw new KeytrustException(CoreErrorCode.KEY_NOT_FOUND,
          "User '" + user + "' has no key in the key store " + root + ": create one, or open the key store directory that holds it.");
    }
    return c.get();
  }

  /**
   * Fails with {@code KEY_EXISTS} when the user already has a key: lets a caller stop before it
   * asks for a new PIN. {@link #save} checks again, atomically.
   */
  public void requireNoKey(String user) throws KeytrustException {
    if (find(user).isPresent()) {
      throw new KeytrustException(
          CoreErrorCode.KEY_EXISTS,
          "User '" + user + "' already has a key: delete it first.");
    }
  }

  /**
   * Deletes the user's key and every file of theirs (provider state, temporary files). Works on
   * a damaged key file too: it is not read.
   *
   * @throws KeytrustException KEY_NOT_FOUND when the user has no key; STORE_CORRUPT, deleting
   *     nothing, when the user's entry in the store is a symbolic link or not a directory
   */
  public void delete(String user) throws KeytrustException {
    Path dir = userDirectory(user);
    Path file = dir.resolve(KEY_FILE);
    checkExistingRoot();
    requireKeyFile(user, dir, file);
    locked(() -> {
      requireKeyFile(user, dir, file);
      try {
        Files.delete(file);
        forceDirectory(dir);
      } catch (IOException e) {
        throw io("delete the key file " + file + " of user '" + user + "'", e);
      }
      try {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
          for (Path p : entries) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p)) {
              Files.delete(p);
            }
          }
        }
        Files.delete(dir);
        forceDirectory(root);
      } catch (IOException e) {
        throw io("delete the files of user '" + user + "' in " + dir
            + " (the key file itself is already gone; remove the directory by hand if it stays)", e);
      }
      return null;
    });
    LOG.info("Deleted the key of user '{}' from {}", user, root);
  }

  /** Checks, before anything is deleted, that the user directory is a real one holding a key file. */
  private void requireKeyFile(String user, Path dir, Path file) throws KeytrustException {
    if (!userDirectoryExists(user, dir, "nothing was deleted")
        || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new KeytrustException(CoreErrorCode.KEY_NOT_FOUND,
          "User '" + user + "' has no key in the key store " + root + " to delete. Check the user name and the"
              + " key store directory.");
    }
  }

  /**
   * The users that have a key file, sorted. Directories that are not a user directory, or that
   * cannot be read, are skipped with a warning; they never hide the other users.
   */
  public List<String> users() throws KeytrustException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    checkExistingRoot();
    List<String> users = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path dir : entries) {
        String name = dir.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        Optional<String> user = userFromDirectoryName(name);
        if (user.isEmpty()) {
          LOG.warn("Ignoring {} in the key store: not a user directory name", dir);
          continue;
        }
        try {
          if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
              && Files.isRegularFile(dir.resolve(KEY_FILE), LinkOption.NOFOLLOW_LINKS)) {
            users.add(user.get());
          }
        } catch (SecurityException e) {
          LOG.warn("Ignoring {} in the key store: {}", dir, e.toString());
        }
      }
    } catch (IOException e) {
      throw io("list the users in the key store " + root, e);
    }
    Collections.sort(users);
    return List.copyOf(users);
  }

  @Override
  public String toString() {
    return "KeyContainerStore[" + root + "]";
  }

  // ---- user records: the agent's journal and receipts -------------------------------------------

  /** The folder of user records, beside the user directories: {@code ROOT/.records}. */
  static final String RECORDS_DIR = ".records";
  private static final String USER_LOCK_FILE = ".user.lock";
  private static final Set<Path> USER_LOCKS_HELD = ConcurrentHashMap.newKeySet();

  /**
   * Reads a record of the user ({@code ROOT/.records/USER/NAME}), or empty when there is none.
   * Records live outside the user's key directory: saving or deleting a key leaves them alone, and
   * they may exist before the user has a key.
   *
   * @param name the record's file name, {@code [a-z][a-z0-9-]*}
   * @throws KeytrustException STORE_CORRUPT naming the file when it is damaged or of another
   *     format; STORE_VERSION_UNSUPPORTED when a newer keytrust wrote it
   */
  public Optional<UserRecord> readRecord(String user, String name, String format, int supportedVersion)
      throws KeytrustException {
    checkStateName(name);
    Path dir = recordDirectory(user);
    Path file = dir.resolve(name);
    if (!Files.isDirectory(root.resolve(RECORDS_DIR), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Optional<byte[]> data = read(user, dir, name);
    if (data.isEmpty()) {
      return Optional.empty();
    }
    try {
      TextRecord r = TextRecord.parse(data.get(), format, supportedVersion);
      if (!r.sha256Matches()) {
        throw new TextRecord.FormatException("its checksum does not match its content");
      }
      Map<String, String> fields = new java.util.LinkedHashMap<>();
      for (String n : r.names()) {
        fields.put(n, r.text(n));
      }
      return Optional.of(new UserRecord(format, r.version(), fields));
    } catch (TextRecord.FormatException e) {
      if (e.unsupportedVersion() != 0) {
        throw new KeytrustException(CoreErrorCode.STORE_VERSION_UNSUPPORTED,
            "The record " + file + " of user '" + user + "' has format version " + e.unsupportedVersion()
                + "; this keytrust reads up to version " + supportedVersion + ". Use the keytrust version that wrote"
                + " it.", e);
      }
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The record " + file + " of user '" + user + "' is damaged (" + e.getMessage() + "). Delete it by hand;"
              + " keytrust then starts that work for the user afresh.", e);
    }
  }

  /**
   * Writes (or replaces) a record of the user atomically: the file on disk is always either the
   * old record or the new one, never a mix.
   */
  public void writeRecord(String user, String name, UserRecord record) throws KeytrustException {
    checkStateName(name);
    TextRecord.Writer w = new TextRecord.Writer(record.format(), record.version());
    record.fields().forEach(w::text);
    byte[] content = w.sealSha256();
    Path dir = ensureRecordDirectory(user);
    try {
      writeAtomically(dir, name, content, true);
    } catch (IOException e) {
      throw io("write " + dir.resolve(name), e);
    }
  }

  /** Deletes a record of the user; nothing happens when it does not exist. */
  public void deleteRecord(String user, String name) throws KeytrustException {
    checkStateName(name);
    Path dir = recordDirectory(user);
    if (!Files.isDirectory(root.resolve(RECORDS_DIR), LinkOption.NOFOLLOW_LINKS)
        || !userDirectoryExists(user, dir, "nothing was deleted")) {
      return;
    }
    try {
      if (Files.deleteIfExists(dir.resolve(name))) {
        forceDirectory(dir);
      }
    } catch (IOException e) {
      throw io("delete " + dir.resolve(name), e);
    }
  }

  /**
   * Takes the user's exclusive work lock, across processes, without waiting: one provisioning, PIN
   * change or reset per user at a time. Release it by closing the returned handle. A process that
   * dies releases its lock.
   *
   * @throws KeytrustException STORE_BUSY when another run (in this or another process) holds it
   */
  public UserLock lockUser(String user) throws KeytrustException {
    Path dir = ensureRecordDirectory(user);
    Path file = dir.resolve(USER_LOCK_FILE);
    Path key = file.toAbsolutePath().normalize();
    if (!USER_LOCKS_HELD.add(key)) {
      throw userBusy(user, null);
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), fileAttributes());
      FileLock lock = ch.tryLock();
      if (lock == null) {
        throw userBusy(user, null);
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
      throw io("lock " + file, e);
    } catch (KeytrustException | RuntimeException e) {
      closeQuietly(ch);
      USER_LOCKS_HELD.remove(key);
      throw e;
    }
  }

  /** A held user lock ({@link #lockUser}); closing it releases the lock and never throws. */
  public interface UserLock extends AutoCloseable {
    @Override
    void close();
  }

  private KeytrustException userBusy(String user, Throwable cause) {
    return new KeytrustException(CoreErrorCode.STORE_BUSY,
        "Another keytrust run is working on the key of user '" + user + "' (a provisioning, PIN change or reset)."
            + " Wait until it has finished, then try again.", cause);
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

  private Path recordDirectory(String user) throws KeytrustException {
    return root.resolve(RECORDS_DIR).resolve(directoryName(user));
  }

  private Path ensureRecordDirectory(String user) throws KeytrustException {
    Path dir = recordDirectory(user);
    ensureRoot();
    try {
      Path records = root.resolve(RECORDS_DIR);
      if (!Files.exists(records, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.createDirectory(records, dirAttributes());
          if (posix) {
            Files.setPosixFilePermissions(records, DIR_PERMISSIONS);
          }
          forceDirectory(root);
        } catch (FileAlreadyExistsException e) {
          // made by another process in the meantime
        }
      }
      if (!Files.isDirectory(records, LinkOption.NOFOLLOW_LINKS)) {
        throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
            "The key store entry " + records + " is not a directory; keytrust does not use it. Remove it by hand.");
      }
      checkPermissions(records, true);
      if (!userDirectoryExists(user, dir, "nothing was written")) {
        Files.createDirectory(dir, dirAttributes());
        if (posix) {
          Files.setPosixFilePermissions(dir, DIR_PERMISSIONS);
        }
        forceDirectory(records);
      }
    } catch (FileAlreadyExistsException e) {
      if (!userDirectoryExists(user, dir, "nothing was written")) {
        throw io("create " + dir, e);
      }
    } catch (IOException e) {
      throw io("create the record directory " + dir, e);
    }
    return dir;
  }

  // ---- provider state files (package-private) --------------------------------------------------

  /** Reads a provider state file of the user, or empty when it does not exist. */
  Optional<byte[]> readFile(String user, String name) throws KeytrustException {
    checkStateName(name);
    return read(user, userDirectory(user), name);
  }

  /** Atomically replaces (or creates) a provider state file of the user. The user must have a key. */
  void writeFileAtomically(String user, String name, byte[] content) throws KeytrustException {
    checkStateName(name);
    Path dir = userDirectory(user);
    checkExistingRoot();
    try {
      if (!userDirectoryExists(user, dir, "nothing was written")) {
        throw new NoSuchFileException(dir.toString());
      }
      writeAtomically(dir, name, content, true);
    } catch (NoSuchFileException e) {
      throw new KeytrustException(CoreErrorCode.KEY_NOT_FOUND,
          "User '" + user + "' has no key directory in " + root + ": save the key before using it.", e);
    } catch (IOException e) {
      throw io("write " + dir.resolve(name), e);
    }
  }

  /** Deletes a provider state file of the user, if it exists. */
  void deleteFile(String user, String name) throws KeytrustException {
    checkStateName(name);
    Path dir = userDirectory(user);
    Path file = dir.resolve(name);
    checkExistingRoot();
    if (!userDirectoryExists(user, dir, "nothing was deleted")) {
      return;
    }
    try {
      if (Files.deleteIfExists(file)) {
        forceDirectory(file.getParent());
      }
    } catch (IOException e) {
      throw io("delete " + file, e);
    }
  }

  /** Work done while holding the store lock. */
  interface LockedWork<T> {
    T run() throws KeytrustException;
  }

  /**
   * Runs {@code work} holding the store lock (see the class comment). Not reentrant: {@code work}
   * must not call {@link #save}, {@link #delete} or this method. The root must exist.
   */
  <T> T locked(LockedWork<T> work) throws KeytrustException {
    Path file = root.resolve(LOCK_FILE);
    ReentrantLock inJvm;
    try {
      inJvm = JVM_LOCKS.computeIfAbsent(root.toRealPath(), p -> new ReentrantLock());
    } catch (IOException e) {
      throw io("open the key store " + root, e);
    }
    if (inJvm.isHeldByCurrentThread()) {
      throw new dev.keytrust.error.KeytrustBugException("the key store lock of " + root + " is not reentrant");
    }
    inJvm.lock();
    try (FileChannel ch = openLock(file)) {
      FileLock lock = ch.lock();
      try {
        return work.run();
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw new KeytrustException(CoreErrorCode.STORE_IO,
          "Cannot lock the key store " + root + " (" + file + "): " + reason(e) + ". Check that the key store"
              + " directory is on a local disk that belongs to this account.", e);
    } finally {
      inJvm.unlock();
    }
  }

  /**
   * Opens the lock file, creating it with its version line if needed. It is created by linking a
   * complete temporary file into place, never truncated or replaced afterwards: a lock file that
   * changed while held would let two processes lock different files.
   */
  private FileChannel openLock(Path file) throws IOException, KeytrustException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] content = new TextRecord.Writer(LOCK_FORMAT, LOCK_VERSION).sealSha256();
      try {
        writeAtomically(root, LOCK_FILE, content, false);
      } catch (FileAlreadyExistsException e) {
        // another process made it in the meantime: use theirs
      }
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The key store lock " + file + " is not a regular file. Remove it by hand (with no keytrust running).");
    }
    checkPermissions(file, false);
    byte[] data;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      data = in.readNBytes(TextRecord.MAX_SIZE + 1);
    }
    try {
      if (!TextRecord.parse(data, LOCK_FORMAT, LOCK_VERSION).sha256Matches()) {
        LOG.warn("The key store lock {} fails its checksum; locking works on it anyway", file);
      }
    } catch (TextRecord.FormatException e) {
      if (e.unsupportedVersion() != 0) {
        throw new KeytrustException(CoreErrorCode.STORE_VERSION_UNSUPPORTED,
            "The key store lock " + file + " has format version " + e.unsupportedVersion() + "; this keytrust locks"
                + " the store as version " + LOCK_VERSION + " does. Use the keytrust version that made the store.", e);
      }
      LOG.warn("The key store lock {} does not parse ({}); locking works on it anyway", file, e.getMessage());
    }
    return FileChannel.open(file, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
  }

  // ---- user names ------------------------------------------------------------------------------

  /**
   * Checks a user name: 1..{@value #MAX_USER_LENGTH} characters, well-formed UTF-16, no control
   * characters, and a directory name of at most 255 bytes.
   */
  static void checkUser(String user) throws KeytrustException {
    directoryName(user);
  }

  /**
   * The directory name of a user: the UTF-8 bytes of the name, with every byte outside
   * {@code [A-Za-z0-9._@-]} written as {@code %XX} (upper-case hex). A leading or trailing dot,
   * and the first character of a Windows device name (CON, NUL, COM1, ...), are encoded too, so
   * that no name maps to {@code .}, {@code ..}, a hidden file or a reserved name.
   */
  static String directoryName(String user) throws KeytrustException {
    if (user == null || user.isEmpty()) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "The user name is empty: give a user name.");
    }
    if (user.length() > MAX_USER_LENGTH) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The user name is longer than " + MAX_USER_LENGTH + " characters: give a shorter name.");
    }
    for (int i = 0; i < user.length(); i++) {
      if (Character.isISOControl(user.charAt(i))) {
        throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
            "The user name contains a control character at position " + (i + 1) + ": give a printable name.");
      }
    }
    byte[] utf8;
    try {
      ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(java.nio.CharBuffer.wrap(user));
      utf8 = new byte[bb.remaining()];
      bb.get(utf8);
    } catch (CharacterCodingException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The user name is not valid Unicode text (an unpaired surrogate): retype it.");
    }
    boolean reserved = WINDOWS_RESERVED.matcher(user).matches();
    StringBuilder sb = new StringBuilder(utf8.length * 3);
    for (int i = 0; i < utf8.length; i++) {
      int b = utf8[i] & 0xff;
      boolean dotAtEdge = b == '.' && (i == 0 || i == utf8.length - 1);
      if (isSafe(b) && !dotAtEdge && !(reserved && i == 0)) {
        sb.append((char) b);
      } else {
        sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) b));
      }
    }
    if (sb.length() > MAX_DIRECTORY_NAME) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The user name is too long for a directory name once encoded (" + sb.length() + " > "
              + MAX_DIRECTORY_NAME + " bytes): give a shorter name.");
    }
    return sb.toString();
  }

  /** The user of a directory name, when it is exactly what {@link #directoryName} gives for it. */
  static Optional<String> userFromDirectoryName(String name) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(name.length());
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch == '%' && i + 2 < name.length()) {
        String hex = name.substring(i + 1, i + 3);
        if (!hex.matches("[0-9A-F]{2}")) {
          return Optional.empty();
        }
        bytes.write(Integer.parseInt(hex, 16));
        i += 2;
      } else if (ch < 0x80 && isSafe(ch)) {
        bytes.write(ch);
      } else {
        return Optional.empty();
      }
    }
    try {
      String user = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
      return directoryName(user).equals(name) ? Optional.of(user) : Optional.empty();
    } catch (CharacterCodingException | KeytrustException e) {
      return Optional.empty();
    }
  }

  private static boolean isSafe(int b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
        || b == '.' || b == '_' || b == '@' || b == '-';
  }

  // ---- files -----------------------------------------------------------------------------------

  private Optional<byte[]> read(String user, Path dir, String name) throws KeytrustException {
    Path file = dir.resolve(name);
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    checkExistingRoot();
    try {
      if (!userDirectoryExists(user, dir, "nothing was read")) {
        return Optional.empty();
      }
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
            "The key store file " + file + " is not a regular file. Delete the key of user '"
                + user + "' and create a new one.");
      }
      checkPermissions(file, false);
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        byte[] data = in.readNBytes(TextRecord.MAX_SIZE + 1);
        return Optional.of(data);
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw io("read " + file, e);
    }
  }

  /**
   * Writes the user's TPM key as tpm2-tools files, atomically and owner-only: {@code key.pub}
   * (TPM2B_PUBLIC: 2-byte big-endian size, then TPMT_PUBLIC) and {@code key.priv} (TPM2B_PRIVATE),
   * loadable with {@code tpm2_load -C <parent> -u key.pub -r key.priv -c key.ctx} on the TPM that
   * made them. Existing files of those names in {@code dir} are replaced.
   *
   * @throws KeytrustException INVALID_ARGUMENT for a software key, which has no TPM blobs
   */
  public void exportTpmBlobs(String user, Path dir) throws KeytrustException {
    KeyContainer key = load(user);
    if (!(key.protectedKey() instanceof TpmKeyBlobs blobs)) {
      throw new KeytrustException(
          CoreErrorCode.INVALID_ARGUMENT, "User '" + user + "' has a software key: only TPM keys have TPM blobs.");
    }
    byte[] pub = blobs.publicArea();
    byte[] tpm2bPublic = ByteBuffer.allocate(2 + pub.length).putShort((short) pub.length).put(pub).array();
    try {
      Files.createDirectories(dir);
      // a folder of the user's choosing: write atomically, but never clean up other files there
      writeFile(dir, "key.pub", tpm2bPublic, true);
      writeFile(dir, "key.priv", blobs.privateArea(), true);
    } catch (IOException e) {
      throw io("write the TPM blobs of user '" + user + "' to " + dir, e);
    }
  }

  /** Writes a file of the store atomically, after removing the store's stale temporary files there. */
  private void writeAtomically(Path dir, String name, byte[] content, boolean replace) throws IOException {
    removeStaleTemporaryFiles(dir);
    writeFile(dir, name, content, replace);
  }

  /** Writes a file atomically and owner-only: temporary file, fsync, rename (or link), fsync of the folder. */
  private void writeFile(Path dir, String name, byte[] content, boolean replace) throws IOException {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    Path tmp = dir.resolve("." + name + "." + HexFormat.of().formatHex(random) + ".tmp");
    Path target = dir.resolve(name);
    try {
      try (FileChannel ch = FileChannel.open(tmp,
          Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), fileAttributes())) {
        if (posix) {
          Files.setPosixFilePermissions(tmp, FILE_PERMISSIONS);
        }
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (replace) {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        linkNew(tmp, target);
      }
      forceDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Puts {@code tmp} at {@code target} unless target exists, atomically where hard links work. */
  private static void linkNew(Path tmp, Path target) throws IOException {
    try {
      Files.createLink(target, tmp);
      return;
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | FileSystemException e) {
      LOG.debug("No hard links in {} ({}); falling back to check-then-rename", target.getParent(), e.toString());
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Forces a directory's entries to disk; a no-op where the OS cannot open directories (Windows). */
  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot force directory {} to disk: {}", dir, e.toString());
    }
  }

  private void removeStaleTemporaryFiles(Path dir) throws IOException {
    Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (TEMP_FILE_NAME.matcher(p.getFileName().toString()).matches()
            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(p);
          LOG.info("Removed the stale temporary file {} left by an interrupted write", p);
        }
      }
    }
  }

  /**
   * Files of a user directory without a key file belong to no key: left by an interrupted delete,
   * or by a save interrupted before it linked the key file. Called with the store lock held.
   */
  private static void removeOrphans(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String n = p.getFileName().toString();
        if (STATE_FILE_NAME.matcher(n).matches() && !n.equals(KEY_FILE)
            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.delete(p);
          LOG.info("Removed {}: it belonged to a key that no longer exists", p);
        }
      }
    }
  }

  // ---- directories and permissions -------------------------------------------------------------

  private void ensureRoot() throws KeytrustException {
    try {
      if (!Files.isDirectory(root)) {
        Files.createDirectories(root, dirAttributes());
        if (posix) {
          Files.setPosixFilePermissions(root, DIR_PERMISSIONS);
        }
        forceDirectory(root.getParent());
        LOG.info("Created the key store {}", root);
      }
    } catch (IOException e) {
      throw io("create the key store directory " + root, e);
    }
    checkExistingRoot();
  }

  private void ensureUserDirectory(Path dir) throws IOException, KeytrustException {
    try {
      Files.createDirectory(dir, dirAttributes());
      if (posix) {
        Files.setPosixFilePermissions(dir, DIR_PERMISSIONS);
      }
      forceDirectory(root);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
            "The key store entry " + dir + " is not a directory. Remove it by hand and create the key again.", e);
      }
      checkExistingUserDirectory(dir);
    }
  }

  private void checkExistingRoot() throws KeytrustException {
    if (Files.isDirectory(root)) {
      checkPermissions(root, true);
    }
  }

  private void checkExistingUserDirectory(Path dir) throws KeytrustException, NoSuchFileException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(dir.toString());
    }
    checkPermissions(dir, true);
  }

  /**
   * Whether the user's directory exists, as a real directory with owner-only permissions. Every
   * access to a user directory checks this first, so that no file is ever read, written, listed or
   * deleted through a symbolic link.
   *
   * @param unchanged what the caller did not do, for the message ("nothing was deleted")
   * @throws KeytrustException STORE_CORRUPT when the entry is a symbolic link or not a directory;
   *     STORE_PERMISSIONS when other users can write it
   */
  private boolean userDirectoryExists(String user, Path dir, String unchanged) throws KeytrustException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      String what = Files.isSymbolicLink(dir) ? "a symbolic link" + linkTarget(dir) + ", not a directory"
          : "not a directory";
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The key store entry " + dir + " of user '" + user + "' is " + what + "; keytrust does not use it, so "
              + unchanged + ". Check how it got there and remove the entry itself by hand (`rm " + dir + "` removes"
              + " a link, not what it points to), then create the key again.");
    }
    try {
      checkExistingUserDirectory(dir);
      return true;
    } catch (NoSuchFileException e) {
      return false; // removed in the meantime
    }
  }

  private static String linkTarget(Path link) {
    try {
      return " to " + Files.readSymbolicLink(link);
    } catch (IOException | UnsupportedOperationException e) {
      return "";
    }
  }

  /**
   * Owner-only check: others' write access is refused, others' read/execute access is removed.
   */
  private void checkPermissions(Path p, boolean directory) throws KeytrustException {
    if (!posix) {
      return;
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(p);
    } catch (IOException e) {
      throw io("read the permissions of " + p, e);
    }
    Set<PosixFilePermission> wanted = directory ? DIR_PERMISSIONS : FILE_PERMISSIONS;
    Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
    extra.addAll(perms);
    extra.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE));
    if (extra.isEmpty()) {
      return;
    }
    String mode = PosixFilePermissions.toString(perms);
    String chmod = "chmod " + (directory ? "700 " : "600 ") + p;
    if (!Collections.disjoint(extra, OTHERS_WRITE)) {
      throw new KeytrustException(CoreErrorCode.STORE_PERMISSIONS,
          "The key store " + (directory ? "directory " : "file ") + p + " is writable by other users (" + mode
              + "), so another account may have changed its contents; keytrust refuses to use it. Check it, then"
              + " run `" + chmod + "`, or choose another key store directory.");
    }
    try {
      Files.setPosixFilePermissions(p, wanted);
      LOG.warn("{} was readable by other users ({}); made it owner-only", p, mode);
    } catch (IOException e) {
      throw new KeytrustException(CoreErrorCode.STORE_PERMISSIONS,
          "The key store " + (directory ? "directory " : "file ") + p + " is readable by other users (" + mode
              + ") and keytrust cannot change that (" + e.getMessage() + "). Run `" + chmod
              + "` as its owner, or choose another key store directory.", e);
    }
  }

  private FileAttribute<?>[] fileAttributes() {
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)}
        : new FileAttribute<?>[0];
  }

  private FileAttribute<?>[] dirAttributes() {
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS)}
        : new FileAttribute<?>[0];
  }

  private static void checkStateName(String name) {
    if (!STATE_FILE_NAME.matcher(name).matches() || name.equals(KEY_FILE)) {
      throw new dev.keytrust.error.KeytrustBugException("invalid key store state file name " + name);
    }
  }

  private KeytrustException keyExists(String user, Path file) {
    return new KeytrustException(CoreErrorCode.KEY_EXISTS,
        "User '" + user + "' already has a key (" + file + "). Delete it first, then create the new one.");
  }

  private static KeytrustException io(String what, IOException e) {
    return new KeytrustException(CoreErrorCode.STORE_IO,
        "Cannot " + what + ": " + reason(e) + ". Check that the disk is available and that the key store directory"
            + " belongs to this account.", e);
  }

  private static String reason(IOException e) {
    return e instanceof AccessDeniedException ? "access denied"
        : e instanceof NoSuchFileException ? "no such file or directory"
        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
