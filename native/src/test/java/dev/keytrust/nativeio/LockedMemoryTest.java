package dev.keytrust.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

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
