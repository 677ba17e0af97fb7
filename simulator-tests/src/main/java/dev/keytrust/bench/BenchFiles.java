package dev.keytrust.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
