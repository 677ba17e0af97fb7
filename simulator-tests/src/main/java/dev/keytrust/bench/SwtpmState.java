package dev.keytrust.bench;

import dev.keytrust.lab.Swtpm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The part every TPM benchmark state shares: a swtpm of its own ({@link SwtpmFixture}) over the
 * state's {@code transport} parameter, temporary directories, and a trial set-up that tears down
 * what it made when it fails. JMH runs the {@link Setup} and {@link TearDown} methods a {@link
 * State} class inherits; a subclass declares its {@code @Param} fields and implements {@link
 * #transport()}, {@link #setUpState()} and, if it opens more than the swtpm, {@link #closeState()}.
 */
@State(Scope.Benchmark)
public abstract class SwtpmState {
  /** The swtpm and its session; null before the set-up starts it. */
  SwtpmFixture tpm;

  private final List<Path> tempDirectories = new ArrayList<>();

  /** The {@code transport} parameter: {@code tcp} (mssim://) or {@code unix} (unix:). */
  abstract String transport();

  /** Everything of the set-up after the swtpm has started ({@link #tpm} is set). */
  abstract void setUpState() throws Exception;

  /**
   * Closes what {@link #setUpState()} opened besides the swtpm and its temporary directories (also
   * after a set-up that failed part way); runs before the swtpm is stopped. Does nothing by default.
   */
  void closeState() throws IOException {}

  /** A new temporary directory ({@link BenchFiles#createTempDirectory}) that the tear-down removes. */
  final Path tempDirectory(String what) throws IOException {
    Path dir = BenchFiles.createTempDirectory(what);
    tempDirectories.add(dir);
    return dir;
  }

  /** Starts the swtpm, then the rest; a failure tears down what exists and is rethrown. */
  @Setup(Level.Trial)
  public final void setUp() throws Exception {
    try {
      tpm = SwtpmFixture.start(Swtpm.Mode.valueOf(transport().toUpperCase(Locale.ROOT)));
      setUpState();
    } catch (Exception | Error e) {
      try {
        tearDown(); // JMH calls no tear-down after a failed set-up: stop the swtpm, remove the folders
      } catch (Exception | Error t) {
        e.addSuppressed(t);
      }
      throw e;
    }
  }

  /** {@link #closeState()}, then stops the swtpm and removes the temporary directories. */
  @TearDown(Level.Trial)
  public final void tearDown() throws IOException {
    try {
      closeState();
    } finally {
      try {
        if (tpm != null) {
          tpm.close();
        }
      } finally {
        deleteTempDirectories();
      }
    }
  }

  private void deleteTempDirectories() throws IOException {
    IOException failure = null;
    for (Path dir : tempDirectories) {
      try {
        BenchFiles.deleteRecursively(dir);
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    tempDirectories.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
