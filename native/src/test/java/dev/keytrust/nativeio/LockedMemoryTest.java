package dev.keytrust.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.SecretBuffer;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.slf4j.LoggerFactory;

class LockedMemoryTest {
  private static final byte[] SECRET = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

  @Test
  void bytesWrittenAreReadBack() {
    try (LockedMemory m = LockedMemory.allocate(32)) {
      m.write(8, SECRET);

      assertThat(m.read(8, 16)).isEqualTo(SECRET);
      byte[] part = new byte[4];
      m.read(10, part, 1, 3);
      assertThat(part).containsExactly(0, 3, 4, 5);
      assertThat(m.read(0, 8)).as("fresh memory is zeroed").containsOnly(0);
    }
  }

  @Test
  void wipeZeroesTheNativeBytes() {
    try (LockedMemory m = LockedMemory.allocate(SECRET.length)) {
      m.write(0, SECRET);
      Pointer p = m.pointer();
      assertThat(p.getByteArray(0, SECRET.length)).isEqualTo(SECRET);

      m.wipe();

      assertThat(p.getByteArray(0, SECRET.length)).containsOnly(0);
      assertThat(m.read(0, SECRET.length)).containsOnly(0);
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void onLinuxThePagesAreLockedAndKeptOutOfCoreDumps() throws Exception {
    // Needs RLIMIT_MEMLOCK >= one page or CAP_IPC_LOCK: true for root and for the usual 8 MiB limit.
    try (LockedMemory m = LockedMemory.allocate(100)) {
      long address = Pointer.nativeValue(m.pointer());

      assertThat(m.isLocked()).isTrue();
      assertThat(address % LinuxLibC.get().getpagesize()).as("page aligned").isZero();
      assertThat(vmFlags(address)).contains("lo", "dd");
    }
  }

  @Test
  void closeFreesAndForbidsFurtherUse() {
    LockedMemory m = LockedMemory.allocate(16);
    m.write(0, SECRET);

    m.close();
    m.close();

    assertThat(m.isClosed()).isTrue();
    assertThat(m.isLocked()).isFalse();
    assertThat(m.toString()).isEqualTo("LockedMemory[size=16, locked=false, closed]");
    assertThatThrownBy(() -> m.read(0, 1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> m.write(0, SECRET)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(m::wipe).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void toStringShowsOnlySizeAndLockState() {
    try (LockedMemory m = LockedMemory.allocate(16)) {
      m.write(0, new byte[] {0x41, 0x42, 0x43, 0x44});

      assertThat(m.toString())
          .isEqualTo("LockedMemory[size=16, locked=" + m.isLocked() + "]")
          .doesNotContain("ABCD")
          .doesNotContain("65");
    }
  }

  @Test
  void accessOutsideTheBufferIsRejected() {
    try (LockedMemory m = LockedMemory.allocate(8)) {
      assertThatThrownBy(() -> m.write(4, SECRET)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> m.read(-1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> m.read(0, new byte[2], 1, 2))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
    assertThatThrownBy(() -> LockedMemory.allocate(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theServiceLoaderHandsOutLockedMemoryAsSecretBuffers() {
    try (SecretBuffer b = SecretBuffer.allocate(32)) {
      assertThat(b.toString()).startsWith("LockedMemory[");
      if (LinuxLibC.isLinux()) {
        assertThat(b.isLocked()).isTrue();
      }
      byte[] moved = SECRET.clone();
      try (SecretBuffer m = SecretBuffer.moveFrom(moved)) {
        assertThat(m.toString()).startsWith("LockedMemory[");
        assertThat(m.copy(InsecureSecretAccess.get())).isEqualTo(SECRET);
        assertThat(moved).containsOnly(0);
      }
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void whenMlockIsRefusedTheBufferWorksUnlockedAndOneWarningIsLogged() throws Exception {
    LibC real = LinuxLibC.get();
    // stands in for libc only to refuse mlock (as at the RLIMIT_MEMLOCK limit); all else is real
    LibC refusing = (LibC) Proxy.newProxyInstance(LibC.class.getClassLoader(), new Class<?>[] {LibC.class},
        (proxy, method, args) -> method.getName().equals("mlock") ? -1 : method.invoke(real, args));
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LockedMemory.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try (LockedMemory a = LockedMemory.onLinux(refusing, 64);
        LockedMemory b = LockedMemory.onLinux(refusing, 64)) {
      assertThat(a.isLocked()).isFalse();
      a.write(0, SECRET);
      assertThat(a.read(0, SECRET.length)).isEqualTo(SECRET);
      assertThat(vmFlags(Pointer.nativeValue(a.pointer()))).doesNotContain("lo").contains("dd");
      assertThat(b.isLocked()).isFalse();
    } finally {
      logger.detachAppender(events);
    }
    // this is the only test that makes locking fail, so the process-wide warning is its own
    assertThat(events.list.stream().filter(e -> e.getLevel() == Level.WARN))
        .singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage())
            .contains("cannot be locked in memory: mlock of ").contains(" bytes failed (")
            .contains("ulimit -l")
            .contains("shown once"));
  }

  @Test
  void onWindowsItIsAVirtualAllocRegionLockedAndReleased() {
    FakeKernel32 k = new FakeKernel32(true);

    LockedMemory m = LockedMemory.onWindows(k, 100);
    m.write(0, SECRET);
    Pointer p = m.pointer();

    assertThat(m.isLocked()).isTrue();
    assertThat(k.calls).containsExactly("VirtualAlloc 100 0x3000 0x4", "VirtualLock 100");
    assertThat(p.getByteArray(0, SECRET.length)).isEqualTo(SECRET);
    byte[] seen = new byte[SECRET.length];
    k.beforeFree = () -> k.region.read(0, seen, 0, seen.length);

    m.close();

    assertThat(seen).as("zeroed before it is freed").containsOnly(0);
    assertThat(k.calls).endsWith("VirtualUnlock 100", "VirtualFree 0 0x8000");
  }

  @Test
  void onWindowsARefusedVirtualLockLeavesAWorkingUnlockedBuffer() {
    FakeKernel32 k = new FakeKernel32(false);

    try (LockedMemory m = LockedMemory.onWindows(k, 16)) {
      m.write(0, SECRET);
      assertThat(m.isLocked()).isFalse();
      assertThat(m.read(0, SECRET.length)).isEqualTo(SECRET);
    }
    assertThat(k.calls).doesNotContain("VirtualUnlock 16").endsWith("VirtualFree 0 0x8000");
  }

  /** Stands in for kernel32 off Windows, backed by JNA memory; records the calls. Not Windows. */
  private static final class FakeKernel32 implements WinKernel32 {
    final List<String> calls = new java.util.ArrayList<>();
    final boolean lockSucceeds;
    Memory region;
    Runnable beforeFree = () -> {};

    FakeKernel32(boolean lockSucceeds) {
      this.lockSucceeds = lockSucceeds;
    }

    @Override
    public Pointer VirtualAlloc(Pointer address, SizeT size, int type, int protect) {
      calls.add("VirtualAlloc " + size.longValue() + " 0x" + Integer.toHexString(type) + " 0x"
          + Integer.toHexString(protect));
      region = new Memory(size.longValue());
      region.clear();
      return region;
    }

    @Override
    public boolean VirtualLock(Pointer address, SizeT size) {
      calls.add("VirtualLock " + size.longValue());
      return lockSucceeds;
    }

    @Override
    public boolean VirtualUnlock(Pointer address, SizeT size) {
      calls.add("VirtualUnlock " + size.longValue());
      return true;
    }

    @Override
    public boolean VirtualFree(Pointer address, SizeT size, int freeType) {
      assertThat(address).isEqualTo(region);
      beforeFree.run();
      calls.add("VirtualFree " + size.longValue() + " 0x" + Integer.toHexString(freeType));
      return true;
    }
  }

  /** The VmFlags of the mapping holding {@code address}, from /proc/self/smaps. */
  private static List<String> vmFlags(long address) throws Exception {
    List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
    boolean inside = false;
    for (String line : lines) {
      if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        String[] range = line.substring(0, line.indexOf(' ')).split("-");
        inside =
            Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0;
      } else if (inside && line.startsWith("VmFlags:")) {
        return List.of(line.substring("VmFlags:".length()).trim().split("\\s+"));
      }
    }
    throw new AssertionError("no mapping holds 0x" + Long.toHexString(address));
  }
}
