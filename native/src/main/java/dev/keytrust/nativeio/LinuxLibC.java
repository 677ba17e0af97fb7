package dev.keytrust.nativeio;

import com.sun.jna.Native;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.util.Locale;

/** Lazily loads {@link LibC} on Linux, and reports clearly when that is not possible. */
final class LinuxLibC {
  private static final Object LOCK = new Object();
  private static volatile LibC instance;

  private LinuxLibC() {}

  /** True when this JVM runs on Linux, the only OS whose libc constants {@link LibC} carries. */
  static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
  }

  /** The loaded libc, or {@code TPM_PLATFORM_UNSUPPORTED} when not on Linux or libc cannot load. */
  static LibC get() throws KeytrustException {
    LibC libc = instance;
    if (libc != null) {
      return libc;
    }
    if (!isLinux()) {
      throw new KeytrustException(
          CoreErrorCode.TPM_PLATFORM_UNSUPPORTED,
          "Linux libc calls are not available on " + System.getProperty("os.name")
              + ": device: works on Linux only; on Windows use tbs:, elsewhere mssim://HOST:PORT"
              + " or unix:PATH.");
    }
    synchronized (LOCK) {
      if (instance == null) {
        try {
          instance = Native.load("c", LibC.class);
        } catch (LinkageError e) {
          throw new KeytrustException(
              CoreErrorCode.TPM_PLATFORM_UNSUPPORTED,
              "Cannot load libc through JNA (" + e.getMessage() + "): check that the JNA native"
                  + " library can be extracted (jna.tmpdir writable, not mounted noexec).",
              e);
        }
      }
      return instance;
    }
  }

  /** strerror text for an errno, never null. */
  static String describe(LibC libc, int errno) {
    String text = libc.strerror(errno);
    return (text == null ? "unknown error" : text) + " (errno " + errno + ")";
  }
}
