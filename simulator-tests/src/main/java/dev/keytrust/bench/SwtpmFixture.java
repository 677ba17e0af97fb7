package dev.keytrust.bench;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A swtpm of a benchmark's own, in a fresh temporary directory, and the one {@link TpmSession} the
 * benchmark uses with it (swtpm serves one client at a time).
 *
 * <p>{@link #close()} closes the session, stops the swtpm through its own process handle and
 * deletes the directory. A shutdown hook does the same if the forked benchmark JVM exits without
 * reaching its tear-down (for example when the JMH host is interrupted), so no swtpm outlives
 * the run.
 */
final class SwtpmFixture implements AutoCloseable {
  private final Path dir;
  private final Swtpm swtpm;
  private final TpmSession session;
  private final Thread shutdownHook;
  private boolean closed;

  private SwtpmFixture(Path dir, Swtpm swtpm, TpmSession session) {
    this.dir = dir;
    this.swtpm = swtpm;
    this.session = session;
    this.shutdownHook = new Thread(this::closeQuietly, "keytrust-bench-swtpm-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a swtpm in {@code mode} (TCP: {@code mssim://}, UNIX: {@code unix:}) and opens a session to it. */
  static SwtpmFixture start(Swtpm.Mode mode) throws IOException, KeytrustException {
    Path dir = BenchFiles.createTempDirectory("swtpm");
    Swtpm swtpm = null;
    try {
      Path state = dir.resolve("tpm");
      swtpm = mode == Swtpm.Mode.TCP ? Swtpm.startTcp(state) : Swtpm.startUnix(state);
      TpmSession session = TpmSession.open(TpmUri.parse(swtpm.tpmUri()));
      return new SwtpmFixture(dir, swtpm, session);
    } catch (KeytrustException | RuntimeException e) {
      if (swtpm != null) {
        swtpm.stop();
      }
      BenchFiles.deleteRecursively(dir);
      throw e;
    }
  }

  TpmSession session() {
    return session;
  }

  /** The URI of the swtpm, e.g. {@code mssim://127.0.0.1:23456}. */
  String tpmUri() {
    return swtpm.tpmUri();
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is this very call or has already run
    }
    try {
      session.close();
    } finally {
      swtpm.stop();
      BenchFiles.deleteRecursively(dir);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      // best effort at JVM exit: the swtpm was stopped before the directory failed to go
    }
  }
}
