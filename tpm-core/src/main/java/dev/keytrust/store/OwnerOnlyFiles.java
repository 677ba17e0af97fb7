package dev.keytrust.store;

import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one file layer of keytrust's state: owner-only directories and files, durable atomic writes,
 * and reads that never follow a link and never read more than asked. The key store and the agent's
 * records and state files all go through it.
 *
 * <ul>
 *   <li><b>Writes</b> are atomic and durable: a temporary file {@code .NAME.RANDOM.tmp} in the same
 *       directory (created 0600), written, forced to disk, then renamed over the target
 *       ({@code ATOMIC_MOVE}) or, for a file that must not exist yet, hard-linked into place so two
 *       concurrent writers cannot both succeed; then the directory is forced where the OS allows
 *       it. A crash leaves the old or the new file, plus at worst a temporary file that readers
 *       ignore and that later writes in that directory remove once it is older than ten minutes
 *       (or the owner does, once per lock it takes: {@link #removeStaleTemporaryFiles}). A write the owner
 *       does not need to survive a power cut ({@link Durability#ATOMIC}) skips the two forces:
 *       a killed process still leaves the old or the new file (the rename is atomic and the page
 *       cache outlives the process), but after a power cut the file may be the old one.
 *   <li><b>Permissions</b> (POSIX file systems): directories are made 0700 and files 0600. An
 *       existing one that other users can write is refused, because another account may already
 *       have changed it. One that other users can only read is tightened to owner-only with a
 *       warning, or refused too when the owner says its content must not have been seen
 *       ({@link ReadableByOthers#REFUSE}: a PIN history). Elsewhere (Windows) files inherit their
 *       directory's ACL.
 *   <li><b>Links</b>: a file or directory that is a symbolic link is never followed; reading,
 *       writing and deleting refuse it and change nothing.
 * </ul>
 *
 * <p>Failures are {@link KeytrustException}s with the codes the owner gives (its own I/O,
 * permission and damage codes) and messages that name the file and say what to do.
 */
public final class OwnerOnlyFiles {
  private static final Logger LOG = LoggerFactory.getLogger(OwnerOnlyFiles.class);

  /** How old an abandoned temporary file must be before a write removes it. */
  static final Duration STALE_TEMP_AGE = Duration.ofMinutes(10);
  private static final Pattern TEMP_FILE_NAME = Pattern.compile("\\..+\\.[0-9a-f]{16}\\.tmp");
  private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OTHERS_WRITE =
      EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
  private static final Set<PosixFilePermission> OWNER =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<StandardOpenOption> CREATE_NEW_WRITE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  /**
   * The error codes of one owner of files.
   *
   * @param io a file cannot be read or written
   * @param permissions a file or directory is open to other users
   * @param damaged an entry is not what it must be (a link, not a regular file, not a directory)
   */
  public record Codes(ErrorCode io, ErrorCode permissions, ErrorCode damaged) {
    public Codes {
      Objects.requireNonNull(io, "io");
      Objects.requireNonNull(permissions, "permissions");
      Objects.requireNonNull(damaged, "damaged");
    }
  }

  /** What to do with an existing file or directory that other users can read (but not write). */
  public enum ReadableByOthers {
    /** Make it owner-only and log a warning: its content is not secret from a reader. */
    TIGHTEN,
    /** Refuse it: its content may already have been read, and the owner must look at it. */
    REFUSE
  }

  /** Whether a write must survive a power cut, or only a killed process. */
  public enum Durability {
    /** Forced to disk (the file, then its directory) before the write returns. */
    DURABLE,
    /**
     * Atomic (old or new file, never a mix) but not forced: survives a killed process, and after a
     * power cut may be the old file. For writes whose loss the owner's recovery handles.
     */
    ATOMIC
  }

  /**
   * How many writes and forces this JVM made: for benchmarks and tests that count what one
   * operation costs ({@link #counts()}; differences of two calls).
   *
   * @param atomicWrites atomic file writes (durable or not)
   * @param fileForces files forced to disk (one per durable write)
   * @param directoryForces directories forced to disk (after a durable write, a new directory, a delete)
   */
  public record WriteCounts(long atomicWrites, long fileForces, long directoryForces) {
    /** {@code this - earlier}. */
    public WriteCounts minus(WriteCounts earlier) {
      return new WriteCounts(atomicWrites - earlier.atomicWrites, fileForces - earlier.fileForces,
          directoryForces - earlier.directoryForces);
    }
  }

  private static final LongAdder ATOMIC_WRITES = new LongAdder();
  private static final LongAdder FILE_FORCES = new LongAdder();
  private static final LongAdder DIRECTORY_FORCES = new LongAdder();

  /** The writes and forces made so far in this JVM (see {@link WriteCounts}). */
  public static WriteCounts counts() {
    return new WriteCounts(ATOMIC_WRITES.sum(), FILE_FORCES.sum(), DIRECTORY_FORCES.sum());
  }

  private final String what;
  private final Codes codes;
  private final ReadableByOthers readable;

  /**
   * Files that are tightened when other users can read them ({@link ReadableByOthers#TIGHTEN}).
   *
   * @param what what the files are, for messages: "key store", "MFA state", "PIN history"
   * @param codes the error codes of failures
   */
  public OwnerOnlyFiles(String what, Codes codes) {
    this(what, codes, ReadableByOthers.TIGHTEN);
  }

  public OwnerOnlyFiles(String what, Codes codes, ReadableByOthers readable) {
    this.what = Objects.requireNonNull(what, "what");
    this.codes = Objects.requireNonNull(codes, "codes");
    this.readable = Objects.requireNonNull(readable, "readable");
  }

  /**
   * True when the file system of {@code path} has POSIX permissions. That is a property of the
   * path's {@link java.nio.file.FileSystem} (every path of one file system answers the same), so
   * nothing is read from disk.
   */
  public static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  // ---- directories ------------------------------------------------------------------------------

  /**
   * Creates {@code dir} (and missing parents) owner-only, or checks the existing one: a real
   * directory, not writable by others (tightened when readable by others).
   */
  public void ensureDirectory(Path dir) throws KeytrustException {
    if (directoryExists(dir, "nothing was written")) {
      return;
    }
    try {
      boolean posix = isPosix(dir);
      Files.createDirectories(dir, posix ? dirAttributes() : new FileAttribute<?>[0]);
      if (posix) {
        Files.setPosixFilePermissions(dir, DIR_PERMISSIONS);
      }
      forceDirectory(dir.getParent());
      return;
    } catch (FileAlreadyExistsException e) {
      // made by another process in the meantime: check it below
    } catch (IOException e) {
      throw io("create the " + what + " directory " + dir, e);
    }
    if (!directoryExists(dir, "nothing was written")) {
      throw io("create the " + what + " directory " + dir, new NoSuchFileException(dir.toString()));
    }
  }

  /**
   * Creates one new directory owner-only in an existing parent; an existing one is checked as
   * {@link #directoryExists} does.
   *
   * @return true when this call made the directory (it was empty then), false when it existed
   */
  public boolean ensureChildDirectory(Path dir) throws KeytrustException {
    return ensureChildDirectory(dir, "nothing was written");
  }

  /**
   * {@link #ensureChildDirectory(Path)}, saying what the caller did not do when the entry is
   * damaged ({@link #directoryExists}).
   *
   * @param unchanged what the caller did not do, for the message ("nothing was saved")
   * @return true when this call made the directory (it was empty then), false when it existed
   */
  public boolean ensureChildDirectory(Path dir, String unchanged) throws KeytrustException {
    if (directoryExists(dir, unchanged)) {
      return false;
    }
    try {
      boolean posix = isPosix(dir);
      Files.createDirectory(dir, posix ? dirAttributes() : new FileAttribute<?>[0]);
      if (posix) {
        Files.setPosixFilePermissions(dir, DIR_PERMISSIONS);
      }
      forceDirectory(dir.getParent());
      return true;
    } catch (FileAlreadyExistsException e) {
      if (!directoryExists(dir, unchanged)) {
        throw io("create " + dir, e);
      }
      return false; // made by another process in the meantime
    } catch (IOException e) {
      throw io("create " + dir, e);
    }
  }

  /**
   * Whether {@code dir} exists as a real, owner-only directory. Every access to a directory checks
   * this first, so that no file is ever read, written, listed or deleted through a symbolic link.
   *
   * @param unchanged what the caller did not do, for the message ("nothing was deleted")
   * @throws KeytrustException the damage code when the entry is a symbolic link or not a
   *     directory; the permissions code when others can write it
   */
  public boolean directoryExists(Path dir, String unchanged) throws KeytrustException {
    BasicFileAttributes attributes = entryAttributes(dir);
    if (attributes == null) {
      return false;
    }
    if (!attributes.isDirectory()) {
      String kind = attributes.isSymbolicLink() ? "a symbolic link" + linkTarget(dir) + ", not a directory"
          : "not a directory";
      throw new KeytrustException(codes.damaged(),
          "The " + what + " entry " + dir + " is " + kind + "; keytrust does not use it, so " + unchanged
              + ". Check how it got there and remove the entry itself by hand (`rm " + dir + "` removes a link, not"
              + " what it points to).");
    }
    try {
      checkPermissions(dir, true, attributes);
      return true;
    } catch (KeytrustException e) {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        return false; // removed in the meantime
      }
      throw e;
    }
  }

  // ---- files ------------------------------------------------------------------------------------

  /**
   * Reads a file without following links: empty when there is none, else at most {@code maxBytes +
   * 1} bytes (so a caller can tell "too large"), after the owner-only check.
   *
   * @throws KeytrustException the damage code when the entry is not a regular file (a link, a
   *     directory, a device, a FIFO); the permissions code when others can write it
   */
  public Optional<byte[]> read(Path file, int maxBytes) throws KeytrustException {
    return read(file, maxBytes, "Remove it by hand.");
  }

  /**
   * {@link #read(Path, int)} with the remedy the message gives for an entry that is not a regular
   * file, e.g. "Delete the key of user 'alice' and create a new one."
   */
  public Optional<byte[]> read(Path file, int maxBytes, String remedy) throws KeytrustException {
    BasicFileAttributes attributes = entryAttributes(file);
    if (attributes == null) {
      return Optional.empty();
    }
    if (!attributes.isRegularFile()) {
      throw new KeytrustException(codes.damaged(),
          "The " + what + " file " + file + " is not a regular file (a link, a folder or a device?); keytrust"
              + " does not read it. " + remedy);
    }
    checkPermissions(file, false, attributes);
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(in.readNBytes(maxBytes + 1));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw io("read " + file, e);
    }
  }

  /**
   * Writes {@code content} to {@code dir/name} atomically, durably and owner-only (see the class
   * comment), after removing temporary files in {@code dir} that interrupted writes left ({@link
   * #removeStaleTemporaryFiles}).
   *
   * @param replace true to replace an existing file; false to fail with {@link
   *     FileAlreadyExistsException} when it exists (the check and the write are one atomic step
   *     where the file system has hard links)
   */
  public void writeAtomically(Path dir, String name, byte[] content, boolean replace) throws IOException {
    writeAtomically(dir, name, content, replace, Durability.DURABLE);
  }

  /**
   * {@link #writeAtomically(Path, String, byte[], boolean)}, forced to disk or not: {@link
   * Durability#ATOMIC} for a file whose loss in a power cut the owner's recovery handles.
   */
  public void writeAtomically(Path dir, String name, byte[] content, boolean replace, Durability durability)
      throws IOException {
    removeStaleTemporaryFiles(dir);
    writeFile(dir, name, content, replace, durability);
  }

  /**
   * Writes a file atomically and owner-only in a directory that is not the owner's (an export
   * folder): never removes other files there.
   */
  public static void writeFile(Path dir, String name, byte[] content, boolean replace) throws IOException {
    writeFile(dir, name, content, replace, Durability.DURABLE);
  }

  /**
   * {@link #writeAtomically(Path, String, byte[], boolean, Durability)} without looking for
   * temporary files: for a directory that is not the owner's, or one whose owner removed them
   * already ({@link #removeStaleTemporaryFiles}) while it holds a lock under which it is the
   * directory's only writer, or that it made itself just before (empty). Nothing about {@code dir}
   * is checked here: the caller checked it ({@link #directoryExists}).
   */
  public static void writeFile(Path dir, String name, byte[] content, boolean replace, Durability durability)
      throws IOException {
    boolean durable = durability == Durability.DURABLE;
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    Path tmp = dir.resolve("." + name + "." + HexFormat.of().formatHex(random) + ".tmp");
    Path target = dir.resolve(name);
    boolean posix = isPosix(dir);
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, CREATE_NEW_WRITE,
          posix ? fileAttributes() : new FileAttribute<?>[0])) {
        if (posix) {
          Files.setPosixFilePermissions(tmp, FILE_PERMISSIONS);
        }
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (durable) {
          ch.force(true);
          FILE_FORCES.increment();
        }
      }
      if (replace) {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        moved = true;
      } else {
        moved = linkNew(tmp, target);
      }
      ATOMIC_WRITES.increment();
      if (durable) {
        forceDirectory(dir);
      }
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp); // a hard link leaves it, a failure may
      }
    }
  }

  /**
   * Deletes a file (not following links) and forces its directory to disk.
   *
   * @return false when there was none
   */
  public boolean delete(Path file) throws KeytrustException {
    try {
      if (Files.deleteIfExists(file)) {
        forceDirectory(file.getParent());
        return true;
      }
      return false;
    } catch (IOException e) {
      throw io("delete " + file, e);
    }
  }

  /** Forces a directory's entries to disk; a no-op where the OS cannot open directories (Windows). */
  public static void forceDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
      DIRECTORY_FORCES.increment();
    } catch (IOException e) {
      LOG.debug("Cannot force directory {} to disk: {}", dir, e.toString());
    }
  }

  /**
   * The owner-only check of an existing file or directory (POSIX only): others' write access is
   * refused, others' read or execute access removed with a warning.
   */
  public void checkPermissions(Path p, boolean directory) throws KeytrustException {
    if (!isPosix(p)) {
      return;
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw io("read the permissions of " + p, e);
    }
    checkPermissions(p, directory, perms);
  }

  /**
   * {@link #checkPermissions(Path, boolean)} with the attributes read already ({@link
   * #entryAttributes}): no second look at the entry.
   */
  public void checkPermissions(Path p, boolean directory, BasicFileAttributes attributes) throws KeytrustException {
    if (attributes instanceof PosixFileAttributes posix) {
      checkPermissions(p, directory, posix.permissions());
    }
  }

  private void checkPermissions(Path p, boolean directory, Set<PosixFilePermission> perms) throws KeytrustException {
    Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
    extra.addAll(perms);
    extra.removeAll(OWNER);
    if (extra.isEmpty()) {
      return;
    }
    String mode = PosixFilePermissions.toString(perms);
    String chmod = "chmod " + (directory ? "700 " : "600 ") + p;
    String kind = directory ? "directory " : "file ";
    if (readable == ReadableByOthers.REFUSE && !directory) {
      throw new KeytrustException(codes.permissions(),
          "The " + what + " " + kind + p + " is accessible to other users (" + mode + "): run `" + chmod + "`"
              + " (and check who changed it).");
    }
    if (!Collections.disjoint(extra, OTHERS_WRITE)) {
      throw new KeytrustException(codes.permissions(),
          "The " + what + " " + kind + p + " is writable by other users (" + mode + "), so another account may"
              + " have changed its contents; keytrust refuses to use it. Check it, then run `" + chmod + "`, or"
              + " choose another " + what + " directory.");
    }
    try {
      Files.setPosixFilePermissions(p, directory ? DIR_PERMISSIONS : FILE_PERMISSIONS);
      LOG.warn("{} was readable by other users ({}); made it owner-only", p, mode);
    } catch (IOException e) {
      throw new KeytrustException(codes.permissions(),
          "The " + what + " " + kind + p + " is readable by other users (" + mode + ") and keytrust cannot change"
              + " that (" + e.getMessage() + "). Run `" + chmod + "` as its owner, or choose another " + what
              + " directory.", e);
    }
  }

  /** The I/O error of an action on these files, with the reason and what to check. */
  public KeytrustException io(String action, IOException e) {
    return new KeytrustException(codes.io(),
        "Cannot " + action + ": " + reason(e) + ". Check that the disk is available and that the " + what
            + " directory belongs to this account.", e);
  }

  /** A short reason for an I/O failure. */
  public static String reason(IOException e) {
    return e instanceof AccessDeniedException ? "access denied"
        : e instanceof NoSuchFileException ? "no such file or directory"
        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The attributes of a new owner-only file (POSIX). */
  public static FileAttribute<?>[] fileAttributes() {
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)};
  }

  private static FileAttribute<?>[] dirAttributes() {
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS)};
  }

  /**
   * Puts {@code tmp} at {@code target} unless target exists, atomically where hard links work.
   *
   * @return true when {@code tmp} was moved (no hard links), false when it was linked and is still there
   */
  private static boolean linkNew(Path tmp, Path target) throws IOException {
    try {
      Files.createLink(target, tmp);
      return false;
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (UnsupportedOperationException | FileSystemException e) {
      LOG.debug("No hard links in {} ({}); falling back to check-then-rename", target.getParent(), e.toString());
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  /**
   * The attributes of {@code p}, not following a link (POSIX ones where the file system has
   * them), in one system call; null when there is no such entry or it cannot be read, as {@link
   * Files#exists} with {@link LinkOption#NOFOLLOW_LINKS} says.
   *
   * @return the attributes (POSIX ones where the file system has them), or null
   */
  public static BasicFileAttributes entryAttributes(Path p) {
    try {
      return isPosix(p) ? Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          : Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Removes the temporary files that interrupted writes left in {@code dir} (see the class
   * comment) once they are older than ten minutes; younger ones may be another writer's.
   * {@link #writeAtomically} does this first; a caller that writes with {@link
   * #writeFile(Path, String, byte[], boolean, Durability)} calls it once for the directory.
   */
  public static void removeStaleTemporaryFiles(Path dir) throws IOException {
    Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        // the pattern's fixed parts first: most entries of a state directory are not temporary files
        if (name.length() >= 23 && name.charAt(0) == '.' && name.endsWith(".tmp")
            && TEMP_FILE_NAME.matcher(name).matches()
            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(p);
          LOG.info("Removed the stale temporary file {} left by an interrupted write", p);
        }
      }
    }
  }

  private static String linkTarget(Path link) {
    try {
      return " to " + Files.readSymbolicLink(link);
    } catch (IOException | UnsupportedOperationException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "OwnerOnlyFiles[" + what + "]";
  }
}
