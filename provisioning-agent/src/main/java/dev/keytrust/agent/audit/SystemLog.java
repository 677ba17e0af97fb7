package dev.keytrust.agent.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The machine's system log: syslog, or the systemd journal, which listens on the same socket. Java
 * cannot open the datagram socket {@code /dev/log}, so each event goes through util-linux {@code
 * logger} (on every Debian and most Linux systems): {@code logger --id=PID -t keytrust -p
 * authpriv.notice|authpriv.warning --socket-errors=on -u SOCKET -- JSON}, as one line, the same JSON as the audit
 * file. Only the events worth a system log line go there ({@link AuditEventId#toSystemLog()}: not
 * every step). {@link #detect()} finds it; a machine without {@code /dev/log} (a container) or
 * without {@code logger} has none, and then the audit file is the only record.
 */
public final class SystemLog implements AuditSink {
  /** The syslog socket (journald provides it too). */
  public static final Path DEV_LOG = Path.of("/dev/log");
  /** The tag of keytrust's lines (SYSLOG_IDENTIFIER in the journal). */
  public static final String TAG = "keytrust";
  private static final long WAIT_SECONDS = 5;

  private final Path socket;
  private final String logger;

  /** Sends through {@code logger} (a program on PATH, or a path) to {@code socket}. */
  public SystemLog(Path socket, String logger) {
    this.socket = Objects.requireNonNull(socket, "socket");
    this.logger = Objects.requireNonNull(logger, "logger");
  }

  /** The system log of this machine: {@code /dev/log} through {@code logger}, when both exist. */
  public static Optional<SystemLog> detect() {
    return detect(DEV_LOG);
  }

  /** A system log at {@code socket} through {@code logger} from PATH, when both exist. */
  public static Optional<SystemLog> detect(Path socket) {
    Optional<Path> logger = onPath("logger");
    if (!Files.exists(socket) || Files.isRegularFile(socket) || logger.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new SystemLog(socket, logger.get().toString()));
  }

  /** Why there is none on this machine, in words (for docs and messages). */
  public static String whyNone(Path socket) {
    if (onPath("logger").isEmpty()) {
      return "no 'logger' program on PATH";
    }
    return Files.exists(socket) ? socket + " is not a socket" : "no " + socket + " (no syslog daemon or journald here)";
  }

  @Override
  public void write(AuditEvent event) throws IOException {
    if (!event.id().toSystemLog()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of(logger, "--id=" + ProcessHandle.current().pid(), "-t", TAG,
        "-p", "authpriv." + (event.id().warning() ? "warning" : "notice"), "--size", "8192", "--socket-errors=on",
        "-u", socket.toString(), "--", event.toJson()));
    Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
    try {
      if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("logger did not finish within " + WAIT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        String said = new String(p.getErrorStream().readNBytes(500), StandardCharsets.UTF_8).strip();
        throw new IOException("logger exited with " + p.exitValue() + (said.isEmpty() ? "" : ": " + said));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while logger ran", e);
    }
  }

  @Override
  public String describe() {
    return "system log " + socket + " (through " + logger + ", tag " + TAG + ", facility authpriv)";
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(java.io.File.pathSeparator)) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, program);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
