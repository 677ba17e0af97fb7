package dev.keytrust.bench;

import dev.keytrust.lab.LabFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Temporary directories of the benchmarks: created owner-only under {@code java.io.tmpdir}, removed whole. */
final class BenchFiles {
  private BenchFiles() {}

  /**
   * A new, empty directory {@code keytrust-bench-<what>-<random>} in {@code java.io.tmpdir}
   * (owner-only on POSIX file systems). Pass {@code -jvmArgsAppend -Djava.io.tmpdir=DIR} to JMH to
   * measure the software store on another disk.
   */
  static Path createTempDirectory(String what) throws IOException {
    return Files.createTempDirectory("keytrust-bench-" + what + "-");
  }

  /** Deletes {@code dir} and everything below it; does nothing when it is null or already gone. */
  static void deleteRecursively(Path dir) throws IOException {
    LabFiles.deleteTree(dir);
  }
}
