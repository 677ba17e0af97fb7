package dev.keytrust.nativeio;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import dev.keytrust.error.KeytrustException;
import java.lang.ref.Cleaner;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A buffer for secrets (PIN-derived bytes, auth values) in native memory, outside the Java heap
 * where the garbage collector would copy them. On Linux its pages are its own (page-aligned),
 * locked with {@code mlock} so they are never swapped, and excluded from core dumps; when locking
 * fails (for example at the {@code RLIMIT_MEMLOCK} limit) the buffer still works, unlocked, and
 * {@link #isLocked()} says so. On other systems it is never locked.
 *
 * <p>{@link #close()} zeroes the memory, unlocks and frees it; a buffer that is never closed is
 * cleaned the same way once it becomes unreachable. Reads copy into caller arrays the caller must
 * wipe. {@link #toString()} shows only the size and the lock state. Thread safe.
 *
 * <pre>{@code
 * try (LockedMemory secret = LockedMemory.allocate(32)) {
 *   secret.write(0, derived);
 *   Arrays.fill(derived, (byte) 0);
 *   ...
 * }
 * }</pre>
 */
public final class LockedMemory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LockedMemory.class);
  private static final Cleaner CLEANER = Cleaner.create();

  private final int size;
  private final Region region;
  private final Cleaner.Cleanable cleanable;

  private LockedMemory(int size, Region region) {
    this.size = size;
    this.region = region;
    this.cleanable = CLEANER.register(this, region);
  }

  /**
   * Allocates {@code size} zeroed bytes and tries to lock them in RAM.
   *
   * @param size at least 1
   */
  public static LockedMemory allocate(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, got " + size);
    }
    LibC libc = null;
    if (LinuxLibC.isLinux()) {
      try {
        libc = LinuxLibC.get();
      } catch (KeytrustException e) {
        LOG.debug("secret buffer of {} bytes stays unlocked: {}", size, e.getMessage());
      }
    }
    Region region = libc == null ? Region.plain(size) : Region.locked(libc, size);
    return new LockedMemory(size, region);
  }

  /** The usable size in bytes. */
  public int size() {
    return size;
  }

  /** True when the pages are locked in RAM (never swapped out). */
  public boolean isLocked() {
    return !region.freed && region.locked;
  }

  /** True after {@link #close()}. */
  public synchronized boolean isClosed() {
    return region.freed;
  }

  /** Copies {@code src} into this buffer at {@code offset}. */
  public void write(int offset, byte[] src) {
    write(offset, src, 0, src.length);
  }

  /** Copies {@code length} bytes of {@code src} from {@code srcOffset} into this buffer at {@code offset}. */
  public synchronized void write(int offset, byte[] src, int srcOffset, int length) {
    Objects.requireNonNull(src, "src");
    Objects.checkFromIndexSize(srcOffset, length, src.length);
    Objects.checkFromIndexSize(offset, length, size);
    open().write(offset, src, srcOffset, length);
  }

  /** Copies {@code length} bytes at {@code offset} into {@code dst} from {@code dstOffset}. */
  public synchronized void read(int offset, byte[] dst, int dstOffset, int length) {
    Objects.requireNonNull(dst, "dst");
    Objects.checkFromIndexSize(dstOffset, length, dst.length);
    Objects.checkFromIndexSize(offset, length, size);
    open().read(offset, dst, dstOffset, length);
  }

  /** A copy of {@code length} bytes at {@code offset}; the caller wipes it after use. */
  public synchronized byte[] read(int offset, int length) {
    byte[] copy = new byte[length];
    read(offset, copy, 0, length);
    return copy;
  }

  /** Zeroes the buffer, keeping it allocated (and locked) for reuse. */
  public synchronized void wipe() {
    open().clear();
  }

  /** Zeroes, unlocks and frees the buffer. Idempotent. */
  @Override
  public synchronized void close() {
    cleanable.clean();
  }

  /** The start of the usable bytes, for passing to native calls; invalid after {@link #close()}. */
  synchronized Pointer pointer() {
    return open();
  }

  private Memory open() {
    if (region.freed) {
      throw new IllegalStateException("LockedMemory is closed");
    }
    return region.usable;
  }

  @Override
  public String toString() {
    return "LockedMemory[size=" + size + ", locked=" + isLocked()
        + (region.freed ? ", closed" : "") + "]";
  }

  /**
   * The native allocation and its lock; the cleaning action. Holds no reference to its {@link
   * LockedMemory}, so an unreachable buffer can be cleaned.
   */
  private static final class Region implements Runnable {
    private final Memory block;
    private final Memory usable;
    private final LibC libc;
    private final Pointer pages;
    private final long span;
    private final boolean locked;
    private final boolean dumpExcluded;
    private volatile boolean freed;

    private Region(Memory block, Memory usable, LibC libc, Pointer pages, long span,
        boolean locked, boolean dumpExcluded) {
      this.block = block;
      this.usable = usable;
      this.libc = libc;
      this.pages = pages;
      this.span = span;
      this.locked = locked;
      this.dumpExcluded = dumpExcluded;
    }

    static Region plain(int size) {
      Memory block = new Memory(size);
      block.clear();
      return new Region(block, block, null, null, 0, false, false);
    }

    /** Whole pages of its own, so that unlocking never unlocks another buffer's page. */
    static Region locked(LibC libc, int size) {
      long page = libc.getpagesize();
      long span = (size + page - 1) / page * page;
      Memory block = new Memory(span + page);
      block.clear();
      long offset = (page - Pointer.nativeValue(block) % page) % page;
      Pointer pages = block.share(offset, span);
      Memory usable = (Memory) block.share(offset, size);
      NativeLong length = new NativeLong(span);
      boolean locked = libc.mlock(pages, length) == 0;
      if (!locked) {
        int errno = Native.getLastError();
        LOG.debug(
            "mlock of {} bytes failed ({}): the secret buffer may be swapped out; raise the"
                + " memlock limit (ulimit -l) to lock it",
            span, LinuxLibC.describe(libc, errno));
      }
      boolean noDump = libc.madvise(pages, length, LibC.MADV_DONTDUMP) == 0;
      if (!noDump) {
        LOG.debug("madvise(MADV_DONTDUMP) failed ({}): the secret buffer may appear in core dumps",
            LinuxLibC.describe(libc, Native.getLastError()));
      }
      return new Region(block, usable, libc, pages, span, locked, noDump);
    }

    @Override
    public void run() {
      if (freed) {
        return;
      }
      freed = true;
      block.clear();
      if (locked) {
        libc.munlock(pages, new NativeLong(span));
      }
      if (dumpExcluded) {
        libc.madvise(pages, new NativeLong(span), LibC.MADV_DODUMP);
      }
      block.close();
    }
  }
}
