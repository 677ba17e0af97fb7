package dev.keytrust.nativeio;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.SecretMemory;
import java.lang.ref.Cleaner;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SecretMemory} (the memory behind a {@code SecretBuffer}) in native memory, outside the
 * Java heap where the garbage collector would copy it. On Linux its pages are its own (page-aligned), locked with {@code mlock} so they are
 * never swapped, and excluded from core dumps ({@code MADV_DONTDUMP}). On Windows it is its own
 * {@code VirtualAlloc} region locked with {@code VirtualLock} (Windows has no per-region dump
 * exclusion that keytrust uses; this path is compiled and unit-tested everywhere but runs for real
 * only on Windows). When locking fails (for example at the {@code RLIMIT_MEMLOCK} limit or the
 * process's minimum working set) or the OS is neither, the buffer still works, unlocked, {@link
 * #isLocked()} says so, and one warning per process is logged.
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
public final class LockedMemory implements SecretMemory {
  private static final Logger LOG = LoggerFactory.getLogger(LockedMemory.class);
  private static final Cleaner CLEANER = Cleaner.create();
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static volatile WinKernel32 kernel32;

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
    checkSize(size);
    if (LinuxLibC.isLinux()) {
      try {
        return onLinux(LinuxLibC.get(), size);
      } catch (KeytrustException e) {
        warnOnce("libc cannot be loaded (" + e.getMessage() + ")");
        return new LockedMemory(size, Region.plain(size));
      }
    }
    if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
      WinKernel32 k;
      try {
        k = windowsKernel32();
      } catch (LinkageError e) {
        warnOnce("kernel32 cannot be loaded (" + e.getMessage() + ")");
        return new LockedMemory(size, Region.plain(size));
      }
      return onWindows(k, size);
    }
    warnOnce("keytrust cannot lock memory on " + System.getProperty("os.name"));
    return new LockedMemory(size, Region.plain(size));
  }

  /** Linux: own pages, mlock, MADV_DONTDUMP. */
  static LockedMemory onLinux(LibC libc, int size) {
    checkSize(size);
    return new LockedMemory(size, Region.linux(libc, size));
  }

  /** Windows: own VirtualAlloc region, VirtualLock. */
  static LockedMemory onWindows(WinKernel32 k, int size) {
    checkSize(size);
    return new LockedMemory(size, Region.windows(k, size));
  }

  private static void checkSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, got " + size);
    }
  }

  private static WinKernel32 windowsKernel32() {
    WinKernel32 k = kernel32;
    if (k == null) {
      k = Native.load("kernel32", WinKernel32.class);
      kernel32 = k;
    }
    return k;
  }

  /** Logs the first failure to lock as a warning, the rest at debug. */
  static void warnOnce(String why) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "Secret buffers cannot be locked in memory: {}. Secrets stay outside the Java heap and"
              + " are zeroed after use, but may be swapped to disk; on Linux raise the memlock"
              + " limit (ulimit -l, LimitMEMLOCK=). This warning is shown once.",
          why);
    } else {
      LOG.debug("secret buffer not locked: {}", why);
    }
  }

  /** The usable size in bytes. */
  @Override
  public int size() {
    return size;
  }

  /** True when the pages are locked in RAM (never swapped out). */
  @Override
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

  @Override
  public synchronized void write(int offset, byte[] src, int srcOffset, int length) {
    Objects.requireNonNull(src, "src");
    Objects.checkFromIndexSize(srcOffset, length, src.length);
    Objects.checkFromIndexSize(offset, length, size);
    open().write(offset, src, srcOffset, length);
  }

  @Override
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
    open().setMemory(0, size, (byte) 0);
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

  private Pointer open() {
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
   * The native allocation, its lock, and how to release it; the cleaning action. Holds no
   * reference to its {@link LockedMemory}, so an unreachable buffer can be cleaned.
   */
  private static final class Region implements Runnable {
    private final Pointer usable;
    private final int size;
    private final boolean locked;
    private final Runnable release;
    private volatile boolean freed;

    private Region(Pointer usable, int size, boolean locked, Runnable release) {
      this.usable = usable;
      this.size = size;
      this.locked = locked;
      this.release = release;
    }

    static Region plain(int size) {
      Memory block = new Memory(size);
      block.clear();
      return new Region(block, size, false, block::close);
    }

    /** Whole pages of its own, so that unlocking never unlocks another buffer's page. */
    static Region linux(LibC libc, int size) {
      long page = libc.getpagesize();
      long span = (size + page - 1) / page * page;
      Memory block = new Memory(span + page);
      block.clear();
      long offset = (page - Pointer.nativeValue(block) % page) % page;
      Pointer pages = block.share(offset, span);
      NativeLong length = new NativeLong(span);
      boolean locked = libc.mlock(pages, length) == 0;
      if (!locked) {
        warnOnce("mlock of " + span + " bytes failed ("
            + LinuxLibC.describe(libc, Native.getLastError()) + ")");
      }
      boolean noDump = libc.madvise(pages, length, LibC.MADV_DONTDUMP) == 0;
      if (!noDump) {
        LOG.debug("madvise(MADV_DONTDUMP) failed ({}): the secret buffer may appear in core dumps",
            LinuxLibC.describe(libc, Native.getLastError()));
      }
      Runnable release = () -> {
        block.clear();
        if (locked) {
          libc.munlock(pages, new NativeLong(span));
        }
        if (noDump) {
          libc.madvise(pages, new NativeLong(span), LibC.MADV_DODUMP);
        }
        block.close();
      };
      return new Region(block.share(offset, size), size, locked, release);
    }

    /** A VirtualAlloc region of its own (whole pages), locked with VirtualLock. */
    static Region windows(WinKernel32 k, int size) {
      WinKernel32.SizeT length = new WinKernel32.SizeT(size);
      Pointer base = k.VirtualAlloc(null, length, WinKernel32.MEM_COMMIT | WinKernel32.MEM_RESERVE,
          WinKernel32.PAGE_READWRITE);
      if (base == null) {
        warnOnce("VirtualAlloc of " + size + " bytes failed (Windows error "
            + Native.getLastError() + ")");
        return plain(size);
      }
      base.setMemory(0, size, (byte) 0); // already zero from VirtualAlloc; no assumption made
      boolean locked = k.VirtualLock(base, length);
      if (!locked) {
        warnOnce("VirtualLock of " + size + " bytes failed (Windows error "
            + Native.getLastError() + "; the working set may be too small)");
      }
      Runnable release = () -> {
        base.setMemory(0, size, (byte) 0);
        if (locked) {
          k.VirtualUnlock(base, length);
        }
        k.VirtualFree(base, new WinKernel32.SizeT(0), WinKernel32.MEM_RELEASE);
      };
      return new Region(base, size, locked, release);
    }

    @Override
    public void run() {
      if (freed) {
        return;
      }
      freed = true;
      usable.setMemory(0, size, (byte) 0);
      release.run();
    }
  }
}
