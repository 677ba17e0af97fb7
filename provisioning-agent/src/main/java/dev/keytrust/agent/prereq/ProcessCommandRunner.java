package dev.keytrust.agent.prereq;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a short command with a time limit; its standard output when it exits 0, else empty. */
final class ProcessCommandRunner implements RemoteSessionDetector.CommandRunner {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessCommandRunner.class);
  private static final int MAX_OUTPUT = 64 * 1024;

  private final Duration timeout;

  ProcessCommandRunner(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public Optional<String> run(List<String> command) {
    Process p;
    try {
      p = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      p.getOutputStream().close();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot run {}: {}", command.get(0), e.toString());
      return Optional.empty();
    }
    try (InputStream out = p.getInputStream()) {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.debug("{} did not finish within {}", command.get(0), timeout);
        return Optional.empty();
      }
      if (p.exitValue() != 0) {
        LOG.debug("{} exited with {}", command.get(0), p.exitValue());
        return Optional.empty();
      }
      return Optional.of(new String(out.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.debug("cannot read the output of {}: {}", command.get(0), e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      p.destroyForcibly();
    }
  }
}
