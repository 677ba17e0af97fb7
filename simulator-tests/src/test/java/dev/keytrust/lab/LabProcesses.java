package dev.keytrust.lab;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * For tests that run {@code keytrust lab} or {@code keytrust demo} as a process of their own:
 * whether swtpm is there (under CI it must be), and stopping such a process so that its shutdown
 * hook runs and nothing it started survives.
 */
public final class LabProcesses {
  /** How long the lab process gets to run its shutdown hook after SIGTERM. */
  public static final Duration GRACE = Duration.ofSeconds(15);
  private static final Duration CHILD_GRACE = Duration.ofSeconds(5);

  private LabProcesses() {}

  /** True under CI ({@code CI=true}), where tests that need swtpm or Samba must run. */
  public static boolean underCi() {
    return "true".equals(System.getenv("CI"));
  }

  /**
   * Whether swtpm is installed; under CI a missing swtpm fails the test (an
   * {@link AssertionError} naming {@code scripts/install-deps.sh}) instead of letting it skip or
   * check less.
   */
  public static boolean swtpmOrFailUnderCi() {
    if (Swtpm.available()) {
      return true;
    }
    if (underCi()) {
      throw new AssertionError("swtpm is not installed, and under CI (CI=true) this test must run:"
          + " install it with scripts/install-deps.sh. " + Swtpm.MISSING_MESSAGE);
    }
    return false;
  }

  /**
   * Stops {@code p}, a process this test started, and what it started, by their handles: SIGTERM
   * to {@code p} (its shutdown hook stops swtpm or a Samba DC), up to {@link #GRACE} to exit; then
   * each descendant still alive (SIGTERM, then SIGKILL); SIGKILL to {@code p} as the last resort.
   * Does nothing to a process that has ended and left no descendants.
   */
  public static void stop(Process p) throws InterruptedException {
    Set<ProcessHandle> children = new LinkedHashSet<>();
    p.descendants().forEach(children::add); // before p exits: afterwards they are no longer its
    if (p.isAlive()) {
      p.toHandle().destroy();
      if (!p.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(children::add); // started while it was stopping
      }
    }
    for (ProcessHandle child : children) {
      if (!child.isAlive()) {
        continue;
      }
      child.destroy();
      if (!exited(child)) {
        child.destroyForcibly();
        exited(child);
      }
    }
    if (p.isAlive()) {
      p.destroyForcibly();
      p.waitFor(CHILD_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static boolean exited(ProcessHandle h) throws InterruptedException {
    try {
      h.onExit().get(CHILD_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return !h.isAlive();
    }
  }
}
