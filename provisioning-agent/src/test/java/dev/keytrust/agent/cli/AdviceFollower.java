package dev.keytrust.agent.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows keytrust's advice literally, as a user at a terminal would: after each command it reads what
 * keytrust said (the error line on failure, the report on success), deletes every file a {@code `rm FILE`}
 * names, and runs the first {@code `keytrust ...`} command it names, adding only the options the user
 * always passes (key store, endpoint, ...), which the caller supplies per command. The convention this
 * checks: the first command a message names is the next step.
 */
public final class AdviceFollower {

  /** One command run: its words, exit code, what it printed, and what was deleted before it. */
  public record Step(List<String> command, int exit, String out, String err, List<Path> deleted) {
    /** The one-line error ({@code keytrust: ... [KT-....]}), or "" on success. */
    public String errorLine() {
      String line = "";
      for (String l : err.split("\\R")) {
        if (l.startsWith("keytrust: ")) {
          line = l;
        }
      }
      return line;
    }

    /** What keytrust advised: the error line, or the report when it succeeded. */
    public String advice() {
      return exit == 0 ? out : errorLine();
    }

    @Override
    public String toString() {
      return "$ keytrust " + String.join(" ", command) + "  -> exit " + exit + "\n" + (exit == 0 ? out : errorLine())
          + (deleted.isEmpty() ? "" : "\n(deleted before: " + deleted + ")");
    }
  }

  /** Runs one command: its words as keytrust's advice gave them, plus the user's own options. */
  @FunctionalInterface
  public interface Runner {
    Step run(List<String> words, List<Path> deleted);
  }

  private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");

  private final Runner runner;

  public AdviceFollower(Runner runner) {
    this.runner = runner;
  }

  /**
   * Runs {@code first}, then follows the advice until a command names no further command or
   * {@code done} says the goal is reached, at most {@code maxSteps} commands.
   */
  public List<Step> follow(List<String> first, java.util.function.Predicate<Step> done, int maxSteps) {
    List<Step> steps = new ArrayList<>();
    List<String> next = first;
    List<Path> deleted = List.of();
    while (next != null && steps.size() < maxSteps) {
      Step step = runner.run(next, deleted);
      steps.add(step);
      if (done.test(step)) {
        return steps;
      }
      deleted = new ArrayList<>();
      next = null;
      Matcher m = QUOTED.matcher(step.advice());
      while (m.find() && next == null) {
        String quoted = m.group(1).strip();
        if (quoted.startsWith("rm ")) {
          Path file = Path.of(quoted.substring(3).strip());
          try {
            Files.deleteIfExists(file);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          deleted.add(file);
        } else if (quoted.startsWith("keytrust ")) {
          next = Arrays.asList(quoted.substring("keytrust ".length()).split("\\s+"));
        }
      }
    }
    return steps;
  }
}
