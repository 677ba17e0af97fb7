package dev.keytrust.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One swtpm per test class, in a temporary directory of its own, stopped (by its process handle)
 * and deleted after the class. Register it on a <b>static</b> field:
 *
 * <pre>{@code
 * @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();
 *
 * @Test void works() {
 *   String uri = SWTPM.swtpm().tpmUri();          // mssim://127.0.0.1:P
 *   SWTPM.tools().getRandom(8);                   // close Java TPM connections first
 * }
 * }</pre>
 *
 * <p>The directory holds {@code state/} (the swtpm state, log and sockets) and {@code work/}
 * (scratch files; tpm2-tools runs there). The TPM state is shared by all tests of the class:
 * flush transient objects after each test. A test may {@link Swtpm#restart()} the instance; the
 * extension stops whatever process runs at the end. When swtpm is missing the class fails with
 * {@link Swtpm#MISSING_MESSAGE}.
 */
public final class SwtpmExtension implements BeforeAllCallback, AfterAllCallback {
  private final Swtpm.Mode mode;
  private Path dir;
  private Swtpm swtpm;
  private Tpm2Tools tools;

  private SwtpmExtension(Swtpm.Mode mode) {
    this.mode = mode;
  }

  /** A TCP swtpm (mssim:// URI, reachable from tpm2-tools). */
  public static SwtpmExtension tcp() {
    return new SwtpmExtension(Swtpm.Mode.TCP);
  }

  /** A Unix-socket swtpm (unix: URI; no tpm2-tools). */
  public static SwtpmExtension unix() {
    return new SwtpmExtension(Swtpm.Mode.UNIX);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    if (!Swtpm.available()) {
      throw new LabException(Swtpm.MISSING_MESSAGE);
    }
    // short, so the Unix socket path stays far below the 107-byte limit
    dir = Files.createTempDirectory("kt-swtpm-");
    Files.createDirectories(workDir());
    swtpm = mode == Swtpm.Mode.TCP ? Swtpm.startTcp(dir.resolve("state")) : Swtpm.startUnix(dir.resolve("state"));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (swtpm != null) {
        swtpm.stop();
      }
    } finally {
      if (dir != null) {
        LabFiles.deleteTree(dir);
      }
      swtpm = null;
      tools = null;
      dir = null;
    }
  }

  /** The running swtpm of the current test class. */
  public Swtpm swtpm() {
    if (swtpm == null) {
      throw new IllegalStateException(
          "No swtpm: register SwtpmExtension on a static field with @RegisterExtension, and use it "
              + "from tests or @BeforeAll/@AfterAll methods of that class.");
    }
    return swtpm;
  }

  /** tpm2-tools against {@link #swtpm()}, run in {@link #workDir()} (TCP mode only). */
  public Tpm2Tools tools() {
    if (tools == null) {
      tools = new Tpm2Tools(swtpm(), workDir());
    }
    return tools;
  }

  /** A scratch directory of this class's own, deleted after the class. */
  public Path workDir() {
    if (dir == null) {
      throw new IllegalStateException("SwtpmExtension has not started: register it on a static field.");
    }
    return dir.resolve("work");
  }
}
