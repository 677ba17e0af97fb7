package dev.keytrust.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One swtpm process (a TPM 2.0 simulator) owned by this object: its own state directory, started
 * with {@code --flags not-need-init,startup-clear} so the TPM is usable at once, and stopped only
 * through its own {@link Process} handle (never by name).
 *
 * <ul>
 *   <li>{@link #startTcp(Path)}: MS-simulator framing on {@code 127.0.0.1:P}, control channel on
 *       {@code P+1} (TSS.Java's TpmDeviceTcp requires exactly P+1). P is chosen so that both ports
 *       are free; a start that loses a port race is retried on new ports.
 *   <li>{@link #startUnix(Path)}: raw TPM command stream on {@code <stateDir>/tpm.sock}, control
 *       channel on {@code <stateDir>/ctrl.sock}.
 * </ul>
 *
 * <p>Everything lives in the state directory: the TPM state ({@code tpm2-00.permall}), the swtpm
 * log ({@code swtpm.log}), swtpm's own stdout/stderr ({@code swtpm.out}) and, in Unix mode, the
 * sockets.
 *
 * <p><b>One client at a time.</b> swtpm serves a single connection; a second client's commands
 * block until the first disconnects. Close the Java TPM connection before running {@link
 * Tpm2Tools} against the same instance, and reconnect afterwards.
 *
 * <p><b>Restart is in place.</b> {@link #restart()} stops the process and starts a new one on the
 * same state directory, in the same object, so references held by tests and extensions stay
 * valid. It reuses the previous TCP port when it is still free, otherwise it picks a new pair:
 * read {@link #tpmUri()} or {@link #port()} again after a restart. {@link #pid()} changes.
 *
 * <p>Thread-safe; {@link #close()} is {@link #stop()}.
 */
public final class Swtpm implements AutoCloseable {
  /** What to tell a developer whose machine lacks swtpm. */
  public static final String MISSING_MESSAGE =
      "swtpm is not on PATH. Run ./scripts/test.sh, which installs swtpm, swtpm-tools, tpm2-tools and openssl.";

  /** The address every TCP swtpm binds to. */
  public static final String LOOPBACK = "127.0.0.1";

  static final String LOG_FILE = "swtpm.log";
  static final String OUT_FILE = "swtpm.out";
  static final String DATA_SOCKET = "tpm.sock";
  static final String CTRL_SOCKET = "ctrl.sock";

  private static final Logger LOG = LoggerFactory.getLogger(Swtpm.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final int CONNECT_TIMEOUT_MILLIS = 250;
  private static final int POLL_MILLIS = 20;
  private static final int START_ATTEMPTS = 5;
  private static final int PORT_PICKS = 500;
  // below the Linux ephemeral range (32768..60999) so outgoing connections rarely take our ports
  private static final int PORT_MIN = 20_000;
  private static final int PORT_SPAN = 12_000;
  // sun_path holds 108 bytes including the terminating NUL
  private static final int UNIX_PATH_MAX = 107;
  private static final String PORT_RACE = "Address already in use";

  /** How clients reach the simulator. */
  public enum Mode {
    /** MS/IBM-simulator TCP framing on a port pair, {@code mssim://} URIs. */
    TCP,
    /** Raw TPM stream on a Unix socket, {@code unix:} URIs. */
    UNIX
  }

  private enum Readiness {
    READY,
    DIED,
    TIMED_OUT
  }

  private final Mode mode;
  private final Path stateDir;
  private Process process;
  private int port = -1;
  private boolean stopped = true;

  private Swtpm(Mode mode, Path stateDir) {
    this.mode = mode;
    this.stateDir = stateDir.toAbsolutePath().normalize();
  }

  /**
   * Starts swtpm on a free 127.0.0.1 port pair P, P+1 and waits until it listens on both.
   *
   * @param stateDir the TPM state directory, created if missing; reuse it to keep persistent
   *     objects and NV from an earlier run. No other swtpm may use it at the same time.
   * @throws LabException when swtpm is missing, exits early (the message has its log tail) or is
   *     not ready within 15 s
   */
  public static Swtpm startTcp(Path stateDir) {
    Swtpm swtpm = new Swtpm(Mode.TCP, stateDir);
    swtpm.launch(-1, false);
    return swtpm;
  }

  /**
   * Test seam for the port-race retry: the first attempt uses {@code firstPort} without checking
   * that it is free, as if another process had taken it after the check.
   */
  static Swtpm startTcpRacing(Path stateDir, int firstPort) {
    Swtpm swtpm = new Swtpm(Mode.TCP, stateDir);
    swtpm.launch(firstPort, true);
    return swtpm;
  }

  /**
   * Starts swtpm on the Unix socket {@code <stateDir>/tpm.sock} and waits until it accepts a
   * connection. The socket path must fit in 107 bytes, so keep the directory path short.
   *
   * @throws LabException as for {@link #startTcp(Path)}
   */
  public static Swtpm startUnix(Path stateDir) {
    Swtpm swtpm = new Swtpm(Mode.UNIX, stateDir);
    swtpm.launch(-1, false);
    return swtpm;
  }

  /** True when an executable {@code swtpm} is on {@code PATH}; else see {@link #MISSING_MESSAGE}. */
  public static boolean available() {
    return ProcessRunner.onPath("swtpm");
  }

  public Mode mode() {
    return mode;
  }

  /** The absolute state directory given at start. */
  public Path stateDir() {
    return stateDir;
  }

  /** swtpm's log file (level 1), useful when a test fails. */
  public Path logFile() {
    return stateDir.resolve(LOG_FILE);
  }

  /**
   * The TPM URI keytrust understands: {@code mssim://127.0.0.1:P} in TCP mode, {@code unix:PATH}
   * in Unix mode.
   */
  public synchronized String tpmUri() {
    return mode == Mode.TCP ? "mssim://" + LOOPBACK + ":" + port : "unix:" + dataSocket();
  }

  /** The TCP command port P (the control port is P+1), or -1 in Unix mode. */
  public synchronized int port() {
    return port;
  }

  /** The Unix data socket path; the file exists while a Unix-mode swtpm runs. */
  public Path dataSocket() {
    return stateDir.resolve(DATA_SOCKET);
  }

  /** True when tpm2-tools on this machine can reach this instance (TCP mode only, see below). */
  public boolean supportsTpm2Tools() {
    return mode == Mode.TCP;
  }

  /**
   * The {@code TPM2TOOLS_TCTI} value for this instance: {@code swtpm:host=127.0.0.1,port=P}. (The
   * {@code mssim:} TCTI fails against swtpm because swtpm's control port does not speak the MS
   * platform protocol.)
   *
   * @throws UnsupportedOperationException in Unix mode: the swtpm TCTI of tpm2-tss 3.2 (Debian 12)
   *     only connects over TCP ({@code path=} arrived in tpm2-tss 4.0), and the {@code cmd:} TCTI
   *     would need socat. Start the instance with {@link #startTcp(Path)} for tpm2-tools checks.
   */
  public synchronized String tpm2toolsTcti() {
    if (mode != Mode.TCP) {
      throw new UnsupportedOperationException(
          "tpm2-tools cannot reach a Unix-socket swtpm here: the swtpm TCTI of tpm2-tss 3.2 only "
              + "connects over TCP. Start this swtpm with Swtpm.startTcp for tpm2-tools checks.");
    }
    return "swtpm:host=" + LOOPBACK + ",port=" + port;
  }

  /** The operating-system pid of the current swtpm process (of the last one once stopped). */
  public synchronized long pid() {
    return process.pid();
  }

  /** True while the current swtpm process runs. */
  public synchronized boolean isRunning() {
    return !stopped && process.isAlive();
  }

  /**
   * Stops swtpm: SIGTERM through its own process handle, a wait of up to 5 s, then SIGKILL and
   * another wait. Idempotent.
   *
   * @throws LabException when the process survives SIGKILL or the wait is interrupted
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    terminate(process);
    LOG.debug("swtpm pid {} stopped ({})", process.pid(), stateDir);
    if (mode == Mode.UNIX) {
      // swtpm unlinks its sockets on SIGTERM; after SIGKILL they are left behind
      deleteStaleSockets();
    }
  }

  /**
   * Stops swtpm and starts it again on the same state directory, in place (see the class
   * comment). Persistent objects and NV survive; transient objects and sessions do not. Also
   * starts an instance that was stopped.
   *
   * @return this instance
   */
  public synchronized Swtpm restart() {
    int previousPort = port;
    stop();
    launch(mode == Mode.TCP ? previousPort : -1, false);
    return this;
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public synchronized String toString() {
    String where = mode == Mode.TCP ? LOOPBACK + ":" + port : dataSocket().toString();
    String pid = process == null ? "none" : Long.toString(process.pid());
    return "Swtpm[" + mode + " " + where + ", pid " + pid + (isRunning() ? "" : ", stopped") + "]";
  }

  // ---- start-up ----

  private synchronized void launch(int preferredPort, boolean skipFreeCheck) {
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new LabException("Cannot create the swtpm state directory " + stateDir + ": " + e.getMessage(), e);
    }
    checkPaths();
    for (int attempt = 1; ; attempt++) {
      int p = -1;
      if (mode == Mode.TCP) {
        p = attempt == 1 && skipFreeCheck ? preferredPort : choosePort(attempt == 1 ? preferredPort : -1);
      }
      if (mode == Mode.UNIX) {
        deleteStaleSockets();
      }
      long logMark = size(logFile());
      long outMark = size(stateDir.resolve(OUT_FILE));
      List<String> command = command(p);
      Process proc = spawn(command);
      Readiness readiness = awaitReady(proc, p);
      if (readiness == Readiness.READY) {
        process = proc;
        port = p;
        stopped = false;
        LOG.debug("swtpm pid {} ready: {} ({})", proc.pid(), tpmUri(), stateDir);
        return;
      }
      String diagnostics = diagnostics(logMark, outMark);
      if (readiness == Readiness.TIMED_OUT) {
        terminate(proc);
        throw new LabException(
            "swtpm (pid " + proc.pid() + ") was not listening within "
                + READY_TIMEOUT.toSeconds() + " s and was stopped. Command: "
                + String.join(" ", command) + ". Output: " + diagnostics);
      }
      if (mode == Mode.TCP && diagnostics.contains(PORT_RACE) && attempt < START_ATTEMPTS) {
        LOG.debug("swtpm lost a race for port {} or {}; retrying on other ports", p, p + 1);
        continue;
      }
      throw new LabException(
          "swtpm exited with code " + proc.exitValue() + " before it was ready (attempt " + attempt
              + "). Command: " + String.join(" ", command) + ". Output: " + diagnostics
              + " Check that no other swtpm uses " + stateDir + ".");
    }
  }

  private void checkPaths() {
    if (stateDir.toString().indexOf(',') >= 0) {
      throw new LabException(
          "The swtpm state directory " + stateDir + " contains a comma, which swtpm's option "
              + "syntax cannot express: use a directory without commas.");
    }
    if (mode == Mode.UNIX) {
      int length = dataSocket().toString().getBytes(StandardCharsets.UTF_8).length;
      if (length > UNIX_PATH_MAX) {
        throw new LabException(
            "The Unix socket path " + dataSocket() + " is " + length + " bytes, more than the "
                + UNIX_PATH_MAX + " a socket address holds: use a shorter state directory.");
      }
    }
  }

  private List<String> command(int p) {
    List<String> c = new ArrayList<>();
    c.add("swtpm");
    c.add("socket");
    c.add("--tpm2");
    c.add("--tpmstate");
    c.add("dir=" + stateDir);
    if (mode == Mode.TCP) {
      c.add("--server");
      c.add("type=tcp,port=" + p + ",bindaddr=" + LOOPBACK);
      c.add("--ctrl");
      c.add("type=tcp,port=" + (p + 1) + ",bindaddr=" + LOOPBACK);
    } else {
      c.add("--server");
      c.add("type=unixio,path=" + dataSocket());
      c.add("--ctrl");
      c.add("type=unixio,path=" + stateDir.resolve(CTRL_SOCKET));
    }
    c.add("--flags");
    c.add("not-need-init,startup-clear");
    c.add("--log");
    c.add("file=" + logFile() + ",level=1");
    return c;
  }

  private Process spawn(List<String> command) {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(stateDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(stateDir.resolve(OUT_FILE).toFile()));
    try {
      Process proc = pb.start();
      proc.getOutputStream().close(); // swtpm reads nothing from stdin
      return proc;
    } catch (IOException e) {
      throw new LabException("Cannot run swtpm: " + e.getMessage() + ". " + MISSING_MESSAGE, e);
    }
  }

  private Readiness awaitReady(Process proc, int p) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try {
      while (true) {
        if (!proc.isAlive()) {
          return Readiness.DIED;
        }
        if (accepts(proc, p)) {
          return proc.isAlive() ? Readiness.READY : Readiness.DIED;
        }
        if (System.nanoTime() - deadline > 0) {
          return Readiness.TIMED_OUT;
        }
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      proc.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new LabException("Interrupted while waiting for swtpm to start.", e);
    }
  }

  /**
   * TCP: on Linux, whether {@code proc} itself listens on P and P+1 (a connect could reach another
   * process that won the port race while our swtpm is about to exit); elsewhere one
   * connect-and-close on each port. Unix: one connect-and-close on the data socket, which lives
   * in our own directory. swtpm logs a probe connection as a client that came and went.
   */
  private boolean accepts(Process proc, int p) {
    if (mode == Mode.TCP) {
      return ListeningSockets.allOwnedBy(proc.pid(), p, p + 1)
          .orElseGet(() -> tcpAccepts(p + 1) && tcpAccepts(p));
    }
    Path socket = dataSocket();
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean tcpAccepts(int p) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(loopback(), p), CONNECT_TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // ---- ports ----

  private static int choosePort(int preferred) {
    if (preferred > 0 && pairFree(preferred)) {
      return preferred;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < PORT_PICKS; i++) {
      int p = PORT_MIN + random.nextInt(PORT_SPAN);
      if (pairFree(p)) {
        return p;
      }
    }
    throw new LabException(
        "Found no free port pair P, P+1 on " + LOOPBACK + " in " + PORT_MIN + ".." + (PORT_MIN + PORT_SPAN)
            + " after " + PORT_PICKS + " tries: stop leftover swtpm processes of earlier runs.");
  }

  static boolean pairFree(int p) {
    return portFree(p) && portFree(p + 1);
  }

  private static boolean portFree(int p) {
    try (ServerSocket s = new ServerSocket()) {
      // swtpm binds with SO_REUSEADDR (seen with strace): mirror it, so TIME_WAIT leftovers of a
      // stopped instance do not count as taken, while a listening socket still does
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(loopback(), p));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (IOException e) {
      throw new IllegalStateException("127.0.0.1 is a valid address", e);
    }
  }

  // ---- stopping and diagnostics ----

  private static void terminate(Process proc) {
    if (!proc.isAlive()) {
      return;
    }
    proc.destroy();
    try {
      if (!proc.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("swtpm pid {} ignored SIGTERM for {} s; killing it", proc.pid(), STOP_TIMEOUT.toSeconds());
        proc.destroyForcibly();
        if (!proc.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new LabException(
              "swtpm pid " + proc.pid() + " is still running after SIGKILL: check the process table.");
        }
      }
    } catch (InterruptedException e) {
      proc.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new LabException("Interrupted while stopping swtpm pid " + proc.pid() + ".", e);
    }
  }

  private void deleteStaleSockets() {
    for (String name : new String[] {DATA_SOCKET, CTRL_SOCKET}) {
      try {
        Files.deleteIfExists(stateDir.resolve(name));
      } catch (IOException e) {
        throw new LabException("Cannot remove the stale swtpm socket " + stateDir.resolve(name) + ": " + e.getMessage(), e);
      }
    }
  }

  /** What swtpm wrote to its log and to stdout/stderr since the given file sizes. */
  private String diagnostics(long logMark, long outMark) {
    return "swtpm.log: " + ProcessRunner.tail(readFrom(logFile(), logMark), 20)
        + " | stdout/stderr: " + ProcessRunner.tail(readFrom(stateDir.resolve(OUT_FILE), outMark), 20);
  }

  private static long size(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static String readFrom(Path file, long offset) {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    try (InputStream in = Files.newInputStream(file)) {
      in.skipNBytes(Math.min(offset, Files.size(file)));
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }
}
