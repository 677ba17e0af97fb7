package dev.keytrust.bench;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.DictionaryAttackAdmin;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

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
  private final CommandRecorder recorder;
  private final Thread shutdownHook;
  private boolean closed;

  private SwtpmFixture(Path dir, Swtpm swtpm, TpmSession session, CommandRecorder recorder) {
    this.dir = dir;
    this.swtpm = swtpm;
    this.session = session;
    this.recorder = recorder;
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
      TpmUri uri = TpmUri.parse(swtpm.tpmUri());
      // the session's transport is keytrust's own (mssim:// or unix:), wrapped so that a benchmark can
      // record the command bytes the stack sends and send the same bytes again without the stack
      CommandRecorder recorder = new CommandRecorder(TpmTransports.open(uri, TpmTransports.DEFAULT_IO_TIMEOUT));
      TpmSession session = TpmSession.open(recorder, true);
      return new SwtpmFixture(dir, swtpm, session, recorder);
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

  /**
   * The session's transport: records commands on demand and sends command bytes without TSS.Java
   * ({@link CommandRecorder#raw}). Use it only between calls of the session (one connection).
   */
  CommandRecorder recorder() {
    return recorder;
  }

  /**
   * Closes the session and its connection and leaves the swtpm running, for benchmarks whose code
   * opens its own sessions (swtpm serves one client at a time). {@link #session()} is unusable after.
   */
  void closeSession() {
    session.close();
  }

  /** The swtpm process (its port and tpm2-tools TCTI). */
  Swtpm swtpm() {
    return swtpm;
  }

  /**
   * Lets wrong-PIN benchmarks run: many tries (2^30) before lockout, one failure forgotten per
   * second, then clears the failure counter. Uses the lockout hierarchy's empty auth value (a fresh
   * swtpm's). Keys stay DA-protected: the TPM counts every wrong PIN, it just does not lock out in
   * the measured time, and {@link #resetLockout()} between iterations sets the counter back to 0.
   */
  void allowManyWrongPins() throws KeytrustException {
    DictionaryAttackAdmin.setParameters(session, 1 << 30, Duration.ofSeconds(1), Duration.ofSeconds(1));
    resetLockout();
  }

  /** TPM2_DictionaryAttackLockReset with the (empty) lockout auth value. */
  void resetLockout() throws KeytrustException {
    DictionaryAttackAdmin.resetLockout(session);
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
