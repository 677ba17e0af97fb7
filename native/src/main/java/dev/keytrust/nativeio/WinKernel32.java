package dev.keytrust.nativeio;

import com.sun.jna.IntegerType;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.win32.StdCallLibrary;

/**
 * The Windows memory calls a locked secret buffer needs ({@code kernel32.dll}). Loaded only on
 * Windows, on first use.
 */
interface WinKernel32 extends StdCallLibrary {
  int MEM_COMMIT = 0x1000;
  int MEM_RESERVE = 0x2000;
  int MEM_RELEASE = 0x8000;
  int PAGE_READWRITE = 0x04;

  Pointer VirtualAlloc(Pointer address, SizeT size, int allocationType, int protect);

  boolean VirtualLock(Pointer address, SizeT size);

  boolean VirtualUnlock(Pointer address, SizeT size);

  boolean VirtualFree(Pointer address, SizeT size, int freeType);

  /** {@code SIZE_T}: as wide as a pointer. */
  final class SizeT extends IntegerType {
    public SizeT() {
      this(0);
    }

    public SizeT(long value) {
      super(Native.SIZE_T_SIZE, value, true);
    }
  }
}
