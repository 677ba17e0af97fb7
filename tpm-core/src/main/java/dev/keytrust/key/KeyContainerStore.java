package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.store.OwnerOnlyFiles;
import dev.keytrust.store.TextRecord;
import dev.keytrust.store.UserNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
 *     alice/                 0700   one directory per user, name from {@code UserNames.directoryName}
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
  private static final Set<java.nio.file.OpenOption> LOCK_OPEN_OPTIONS =
      Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  static final int LOCK_VERSION = 1;
  /** Longest user name, in UTF-16 characters. */
  public static final int MAX_USER_LENGTH = UserNames.MAX_USER_LENGTH;

  private static final Pattern STATE_FILE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  /** One lock per store root (real path) inside this JVM: FileLocks only exclude other processes. */
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private static final OwnerOnlyFiles.Codes CODES = new OwnerOnlyFiles.Codes(
      CoreErrorCode.STORE_IO, CoreErrorCode.STORE_PERMISSIONS, CoreErrorCode.STORE_CORRUPT);

  private final Path root;
  private final OwnerOnlyFiles files = new OwnerOnlyFiles("key store", CODES);

  /** A store rooted at {@code root}. Nothing is read or created until the first operation. */
  public KeyContainerStore(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
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
    return root.resolve(UserNames.directoryName(user));
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
          // one look at the user's directory (a new user's is absent: each look at an absent entry
          // costs a thrown NoSuchFileException), checked as userDirectoryExists checks it; one made
          // just now, under the store lock, is empty: nothing to clean up or sweep
          if (!files.ensureChildDirectory(dir, "nothing was saved")) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
              throw keyExists(user, file);
            }
            removeOrphans(dir);
            // once for all the writes below: it removes only temporary files older than ten minutes
            OwnerOnlyFiles.removeStaleTemporaryFiles(dir);
          }
          for (Map.Entry<String, byte[]> f : state.entrySet()) {
            OwnerOnlyFiles.writeFile(dir, f.getKey(), f.getValue(), true, OwnerOnlyFiles.Durability.DURABLE);
          }
          OwnerOnlyFiles.writeFile(dir, KEY_FILE, content, false, OwnerOnlyFiles.Durability.DURABLE);
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
        OwnerOnlyFiles.forceDirectory(dir);
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
        OwnerOnlyFiles.forceDirectory(root);
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
    if (!userDirectoryExists(dir, "nothing was deleted")
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
        Optional<String> user = UserNames.userFromDirectoryName(name);
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
      if (!userDirectoryExists(dir, "nothing was written")) {
        throw new NoSuchFileException(dir.toString());
      }
      files.writeAtomically(dir, name, content, true);
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
    if (!userDirectoryExists(dir, "nothing was deleted")) {
      return;
    }
    files.delete(file);
  }

  /** Work done while holding the store lock. */
  interface LockedWork<T> {
    T run() throws KeytrustException;
  }

  /** The file of a user's PIN-check lock ({@link #withPinCheckLock}), in the user's directory. */
  static final String PIN_CHECK_LOCK_FILE = ".pin-check.lock";
  /** One lock per user directory (real path) inside this JVM: FileLocks only exclude other processes. */
  private static final ConcurrentHashMap<Path, ReentrantLock> PIN_CHECK_LOCKS = new ConcurrentHashMap<>();

  /**
   * Runs one whole PIN check of the user's key ({@code work}: count the try, check the PIN,
   * record the result) while no other check of that key runs, in this or another process; waits
   * for one that does. Checks of other users' keys and every other store operation go on. A
   * process that dies releases the lock. The user must have a key.
   */
  <T> T withPinCheckLock(String user, LockedWork<T> work) throws KeytrustException {
    Path dir = userDirectory(user);
    checkExistingRoot();
    if (!userDirectoryExists(dir, "the PIN was not checked")) {
      throw new KeytrustException(CoreErrorCode.KEY_NOT_FOUND,
          "User '" + user + "' has no key directory in " + root + ": save the key before using it.");
    }
    Path file = dir.resolve(PIN_CHECK_LOCK_FILE);
    ReentrantLock inJvm;
    try {
      inJvm = PIN_CHECK_LOCKS.computeIfAbsent(dir.toRealPath(), p -> new ReentrantLock());
    } catch (IOException e) {
      throw io("open the key directory " + dir, e);
    }
    inJvm.lock();
    try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS), OwnerOnlyFiles.isPosix(dir) ? OwnerOnlyFiles.fileAttributes()
            : new java.nio.file.attribute.FileAttribute<?>[0])) {
      FileLock lock = ch.lock();
      try {
        return work.run();
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw io("lock the PIN checks of user '" + user + "' (" + file + ")", e);
    } finally {
      inJvm.unlock();
    }
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
          "Cannot lock the key store " + root + " (" + file + "): " + OwnerOnlyFiles.reason(e) + ". Check that the key store"
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
    // one look at the entry (type and permissions), and the content read through the channel that
    // is locked: every save opens the lock, so no second lstat or open for the same answers
    BasicFileAttributes attributes = OwnerOnlyFiles.entryAttributes(file);
    if (attributes == null) {
      byte[] content = new TextRecord.Writer(LOCK_FORMAT, LOCK_VERSION).sealSha256();
      try {
        // not forced: its content only names the lock's version, and a lock file lost or left empty by
        // a power cut still locks (it is parsed only to warn; a missing one is made again)
        files.writeAtomically(root, LOCK_FILE, content, false, OwnerOnlyFiles.Durability.ATOMIC);
      } catch (FileAlreadyExistsException e) {
        // another process made it in the meantime: use theirs
      }
      attributes = OwnerOnlyFiles.entryAttributes(file);
    }
    if (attributes == null || !attributes.isRegularFile()) {
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The key store lock " + file + " is not a regular file. Remove it by hand (with no keytrust running).");
    }
    files.checkPermissions(file, false, attributes);
    FileChannel ch = FileChannel.open(file, LOCK_OPEN_OPTIONS);
    try {
      // not closed: that would close the channel the caller locks
      byte[] data = Channels.newInputStream(ch).readNBytes(TextRecord.MAX_SIZE + 1);
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
      return ch;
    } catch (IOException | KeytrustException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  // ---- files -----------------------------------------------------------------------------------

  private Optional<byte[]> read(String user, Path dir, String name) throws KeytrustException {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    files.checkPermissions(root, true); // checkExistingRoot, without asking isDirectory again
    if (!userDirectoryExists(dir, "nothing was read")) {
      return Optional.empty();
    }
    return files.read(dir.resolve(name), TextRecord.MAX_SIZE,
        "Delete the key of user '" + user + "' and create a new one.");
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
      OwnerOnlyFiles.writeFile(dir, "key.pub", tpm2bPublic, true);
      OwnerOnlyFiles.writeFile(dir, "key.priv", blobs.privateArea(), true);
    } catch (IOException e) {
      throw files.io("write the TPM blobs of user '" + user + "' to " + dir, e);
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

  // ---- directories ------------------------------------------------------------------------------

  private void ensureRoot() throws KeytrustException {
    if (Files.isDirectory(root)) {
      files.checkPermissions(root, true); // checkExistingRoot, without asking isDirectory again
      return;
    }
    files.ensureDirectory(root);
    LOG.info("Created the key store {}", root);
    checkExistingRoot();
  }

  private void checkExistingRoot() throws KeytrustException {
    if (Files.isDirectory(root)) {
      files.checkPermissions(root, true);
    }
  }

  /**
   * Whether the user's directory exists, as a real directory with owner-only permissions ({@link
   * OwnerOnlyFiles#directoryExists}): no file is ever read, written, listed or deleted through a
   * symbolic link.
   */
  private boolean userDirectoryExists(Path dir, String unchanged) throws KeytrustException {
    return files.directoryExists(dir, unchanged);
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

  private KeytrustException io(String what, IOException e) {
    return files.io(what, e);
  }
}
