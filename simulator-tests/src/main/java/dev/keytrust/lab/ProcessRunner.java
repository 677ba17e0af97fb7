package dev.keytrust.lab;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external command with a timeout and captures its output. Internal to the lab and its
 * subpackages (the lab KDC, {@code dev.keytrust.lab.kdc}); not an API for keytrust itself.
 */
public final class ProcessRunner {
  private static final long READER_JOIN_MILLIS = 5_000;

  private ProcessRunner() {}

  /**
   * Runs {@code command} in {@code workDir} with {@code env} added to this JVM's environment.
   *
   * @param stdin bytes written to the process's standard input, then closed; may be empty. The
   *     caller owns the array (and wipes it when it holds a secret).
   * @param timeoutHint appended to the timeout message, e.g. what usually causes the hang
   */
  public static ProcessResult run(
      List<String> command,
      Map<String, String> env,
      Path workDir,
      byte[] stdin,
      Duration timeout,
      String timeoutHint) {
    return run(command, false, env, workDir, stdin, timeout, timeoutHint);
  }

  /**
   * As {@link #run(List, Map, Path, byte[], Duration, String)}; with {@code cleanEnvironment} the
   * process gets {@code env} only, none of this JVM's environment (for a command run in a chroot,
   * where the host's KRB5CCNAME, JAVA_HOME and the like mean nothing or the wrong thing). On a
   * timeout or an interrupt the process's descendants are killed too (a script's children, apt's
   * dpkg), not only the process.
   */
  public static ProcessResult run(
      List<String> command,
      boolean cleanEnvironment,
      Map<String, String> env,
      Path workDir,
      byte[] stdin,
      Duration timeout,
      String timeoutHint) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    if (cleanEnvironment) {
      pb.environment().clear();
    }
    pb.environment().putAll(env);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new LabException(
          "Cannot run '" + String.join(" ", command) + "': " + e.getMessage()
              + ". Is " + command.get(0) + " installed and on PATH? Run ./scripts/test.sh, which installs it.",
          e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread outReader = drain(process.getInputStream(), out, command.get(0) + "-stdout");
    Thread errReader = drain(process.getErrorStream(), err, command.get(0) + "-stderr");
    try {
      try (OutputStream in = process.getOutputStream()) {
        if (stdin.length > 0) {
          in.write(stdin);
        }
      } catch (IOException e) {
        // the process exited without reading its input; its exit code and stderr tell why
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(process);
        process.waitFor(READER_JOIN_MILLIS, TimeUnit.MILLISECONDS);
        outReader.join(READER_JOIN_MILLIS);
        errReader.join(READER_JOIN_MILLIS);
        throw new LabException(
            "'" + String.join(" ", command) + "' did not finish within " + timeout.toSeconds()
                + " s and was killed. " + timeoutHint + " stderr so far: "
                + tail(utf8(err), 20));
      }
      outReader.join(READER_JOIN_MILLIS);
      errReader.join(READER_JOIN_MILLIS);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new LabException("Interrupted while waiting for '" + String.join(" ", command) + "'.", e);
    }
    return new ProcessResult(command, process.exitValue(), utf8(out), utf8(err));
  }

  /** Kills {@code process} and every process it started (by their pids, never by name). */
  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static Thread drain(InputStream in, ByteArrayOutputStream sink, String name) {
    Thread t =
        new Thread(
            () -> {
              try (in) {
                in.transferTo(sink);
              } catch (IOException e) {
                // the stream closed because the process was killed; keep what was read
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static String utf8(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8); // synchronized with the reader's writes
  }

  /** The last {@code lines} lines of {@code text}, trimmed; "(empty)" when there is nothing. */
  public static String tail(String text, int lines) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return "(empty)";
    }
    String[] all = trimmed.split("\\R");
    int from = Math.max(0, all.length - lines);
    return String.join(System.lineSeparator(), Arrays.asList(all).subList(from, all.length));
  }

  /** True when an executable named {@code program} is in a directory on {@code PATH}. */
  public static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
