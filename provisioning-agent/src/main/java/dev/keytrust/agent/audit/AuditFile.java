package dev.keytrust.agent.audit;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.store.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The audit log file: one JSON object per line ({@link AuditEvent#toJson()}) appended to {@code
 * DIR/audit.jsonl}, owner-only (the folder 0700, the files 0600; a link is refused), and bounded:
 * when a line would take the file past {@code maxBytes}, it becomes {@code audit.jsonl.1} (the older
 * ones move up to {@code .N}, the oldest is deleted) and a new file starts. Appends and rotations
 * of all processes are serialized by a lock on {@code audit.jsonl.lock}; each line is forced to disk.
 */
public final class AuditFile implements AuditSink {
  /** The file name in the state folder. */
  public static final String NAME = "audit.jsonl";
  /** Default size of one file before it is rotated: 1 MiB. */
  public static final long DEFAULT_MAX_BYTES = 1024 * 1024;
  /** Default number of rotated files kept ({@code .1} to {@code .3}). */
  public static final int DEFAULT_KEEP = 3;

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final ConcurrentHashMap<Path, Object> IN_PROCESS = new ConcurrentHashMap<>();
  private static final OwnerOnlyFiles FILES = new OwnerOnlyFiles("audit log",
      new OwnerOnlyFiles.Codes(CoreErrorCode.STORE_IO, CoreErrorCode.STORE_PERMISSIONS, CoreErrorCode.STORE_CORRUPT));

  private final Path dir;
  private final Path file;
  private final long maxBytes;
  private final int keep;

  /** {@code DIR/audit.jsonl} with the default bounds. */
  public AuditFile(Path dir) {
    this(dir, DEFAULT_MAX_BYTES, DEFAULT_KEEP);
  }

  /**
   * @param dir the folder (the agent's state folder), created 0700 when missing
   * @param maxBytes the size a file may reach before it is rotated, at least 1 KiB
   * @param keep how many rotated files are kept, 1 to 20
   */
  public AuditFile(Path dir, long maxBytes, int keep) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    this.file = this.dir.resolve(NAME);
    if (maxBytes < 1024 || keep < 1 || keep > 20) {
      throw new IllegalArgumentException("maxBytes >= 1024 and keep 1..20, not " + maxBytes + " and " + keep);
    }
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  /** The current file. */
  public Path file() {
    return file;
  }

  /** The file of rotation {@code n} (1 is the newest). */
  public Path rotated(int n) {
    return dir.resolve(NAME + "." + n);
  }

  @Override
  public String describe() {
    return file.toString();
  }

  @Override
  public void write(AuditEvent event) throws IOException {
    byte[] line = (event.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      FILES.ensureDirectory(dir);
    } catch (KeytrustException e) {
      throw new IOException(e.getMessage(), e);
    }
    synchronized (IN_PROCESS.computeIfAbsent(file, f -> new Object())) {
      try (FileChannel lockChannel = open(dir.resolve(NAME + ".lock"), false);
          FileLock lock = lockChannel.lock()) {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          long size = Files.size(file);
          if (size > 0 && size + line.length > maxBytes) {
            rotate();
          }
        }
        try (FileChannel out = open(file, true)) {
          ByteBuffer b = ByteBuffer.wrap(line);
          while (b.hasRemaining()) {
            out.write(b);
          }
          out.force(false);
        }
      }
    }
  }

  private void rotate() throws IOException {
    Files.deleteIfExists(rotated(keep));
    for (int i = keep - 1; i >= 1; i--) {
      if (Files.exists(rotated(i), LinkOption.NOFOLLOW_LINKS)) {
        Files.move(rotated(i), rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
      }
    }
    Files.move(file, rotated(1), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Opens a file owner-only without following a link; an existing file too open is made 0600. */
  private static FileChannel open(Path path, boolean append) throws IOException {
    boolean posix = OwnerOnlyFiles.isPosix(path.getParent());
    FileAttribute<?>[] attrs = posix ? OwnerOnlyFiles.fileAttributes() : new FileAttribute<?>[0];
    FileChannel ch = append
        ? FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            LinkOption.NOFOLLOW_LINKS), attrs)
        : FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            attrs);
    try {
      if (posix && !Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(path, OWNER_ONLY);
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return ch;
  }

  @Override
  public String toString() {
    return "AuditFile[" + file + ", " + maxBytes + " B x " + (keep + 1) + "]";
  }
}
