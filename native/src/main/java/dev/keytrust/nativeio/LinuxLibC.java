package dev.keytrust.nativeio;

import com.sun.jna.Native;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Lazily loads {@link LibC} on Linux, and reports clearly when that is not possible. */
final class LinuxLibC {
  /** JNA's library search path; when it is unset, JNA runs {@code ldconfig -p} to make it. */
  static final String JNA_PLATFORM_PATH = "jna.platform.library.path";
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
          instance = load();
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

  /**
   * Loads libc. Two things keep JNA from starting a process on every start of the CLI: JNA works
   * out its library search path once per JVM, and on Linux it runs {@code /sbin/ldconfig -p} in a
   * child process for that unless {@value #JNA_PLATFORM_PATH} is set, so it is set here (when the
   * JVM has not) to the standard library folders; and glibc's libc is opened by its soname
   * "libc.so.6", which the dynamic linker finds itself, rather than "c", for which JNA tries
   * "libc.so" (a linker script, or absent without the development package) before searching.
   * Other C libraries (musl) are found by JNA's search for "c".
   */
  private static LibC load() {
    if (System.getProperty(JNA_PLATFORM_PATH) == null) {
      List<String> dirs = new ArrayList<>();
      String multiarch = switch (System.getProperty("os.arch", "")) {
        case "amd64", "x86_64" -> "x86_64-linux-gnu";
        case "aarch64" -> "aarch64-linux-gnu";
        default -> null;
      };
      if (multiarch != null) {
        dirs.add("/usr/lib/" + multiarch);
        dirs.add("/lib/" + multiarch);
      }
      dirs.addAll(List.of("/usr/lib64", "/lib64", "/usr/lib", "/lib"));
      dirs.removeIf(d -> !new File(d).isDirectory());
      System.setProperty(JNA_PLATFORM_PATH, String.join(File.pathSeparator, dirs));
    }
    try {
      return Native.load("libc.so.6", LibC.class);
    } catch (UnsatisfiedLinkError e) {
      return Native.load("c", LibC.class);
    }
  }

  /** strerror text for an errno, never null. */
  static String describe(LibC libc, int errno) {
    String text = libc.strerror(errno);
    return (text == null ? "unknown error" : text) + " (errno " + errno + ")";
  }
}
