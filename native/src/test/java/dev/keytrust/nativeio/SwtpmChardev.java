package dev.keytrust.nativeio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code swtpm chardev --tpm2 --fd 3} whose descriptor 3 is a connected socket, and
 * the test's end of that socket as a raw descriptor, so the transport runs the same
 * poll/read/write code it runs against {@code /dev/tpmrm0}.
 *
 * <p>ProcessBuilder cannot hand a descriptor to a child, and a socketpair end cannot be re-opened
 * through {@code /proc/PID/fd/N} (sockets give ENXIO). So the test listens on 127.0.0.1 on a free
 * port through JNA, and the child is {@code bash} connecting with its {@code /dev/tcp} redirection
 * onto descriptor 3, then exec'ing swtpm. The test accepts the connection as a raw descriptor.
 * swtpm runs with its own state directory and is stopped through its own {@link Process}.
 */
final class SwtpmChardev {
  private static final String SCRIPT =
      "exec 3<>\"/dev/tcp/127.0.0.1/$KT_PORT\" && exec swtpm chardev --tpm2 --fd 3"
          + " --tpmstate dir=\"$KT_STATE\" --flags not-need-init,startup-clear"
          + " --log file=\"$KT_LOG\",level=1";

  private final Process process;
  private int fd;

  private SwtpmChardev(Process process, int fd) {
    this.process = process;
    this.fd = fd;
  }

  /** Starts swtpm under {@code dir} and returns once it is connected. */
  static SwtpmChardev start(Path dir) throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    Path log = dir.resolve("swtpm.log");
    int[] listener = TestSockets.listenLoopback();
    Process process = null;
    try {
      ProcessBuilder pb = new ProcessBuilder("bash", "-c", SCRIPT);
      pb.environment().put("KT_PORT", Integer.toString(listener[1]));
      pb.environment().put("KT_STATE", state.toString());
      pb.environment().put("KT_LOG", log.toString());
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.out").toFile());
      process = pb.start();
      int fd = TestSockets.accept(listener[0], 30_000);
      if (fd < 0) {
        throw new IllegalStateException(
            "swtpm chardev did not connect: " + output(dir.resolve("swtpm.out")) + output(log));
      }
      SwtpmChardev swtpm = new SwtpmChardev(process, fd);
      process = null;
      return swtpm;
    } finally {
      TestSockets.close(listener[0]);
      if (process != null) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The swtpm process's own id (bash exec'd swtpm, so the child is swtpm itself). */
  long pid() {
    return process.pid();
  }

  /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to this swtpm by its own pid. */
  void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: "
          + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Hands the test's end of the connection over to the caller (e.g. a transport that closes it). */
  int takeFd() {
    int taken = fd;
    fd = -1;
    return taken;
  }

  private static String output(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  /** Closes the test's end if still held and stops swtpm through its own Process handle. */
  void stop() throws Exception {
    TestSockets.close(takeFd());
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
