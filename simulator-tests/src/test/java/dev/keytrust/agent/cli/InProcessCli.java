package dev.keytrust.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Runs the {@code keytrust} command line in this JVM, as the labs of the sign-in, Kerberos and
 * operations tests do: the arguments, standard input, and what it printed and logged.
 */
final class InProcessCli {
  private InProcessCli() {}

  /**
   * One run's outcome.
   *
   * @param log every event keytrust logged (DEBUG and up) and the flow's step events, with their
   *     key-value pairs and exception messages: what the tests search for secrets
   */
  record Result(List<String> args, int exit, String out, String err, String log) {}

  /** Runs keytrust with {@code args} and {@code stdin}; captures stdout, stderr and the log. */
  static Result run(String stdin, List<String> args) {
    CliEnvironment env = new CliEnvironment(
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Map.of(), "Linux", null);
    CommandLine cmd = KeytrustCli.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    Logger keytrust = (Logger) LoggerFactory.getLogger("dev.keytrust");
    Logger flowEvents = (Logger) LoggerFactory.getLogger("keytrust");
    Level before = keytrust.getLevel();
    keytrust.setLevel(Level.DEBUG);
    events.start();
    keytrust.addAppender(events);
    flowEvents.addAppender(events);
    int code;
    try {
      code = cmd.execute(args.toArray(new String[0]));
    } finally {
      keytrust.detachAppender(events);
      flowEvents.detachAppender(events);
      keytrust.setLevel(before);
    }
    StringBuilder log = new StringBuilder();
    for (ILoggingEvent e : new ArrayList<>(events.list)) {
      log.append(e.getFormattedMessage()).append(' ').append(e.getKeyValuePairs()).append('\n');
      if (e.getThrowableProxy() != null) {
        log.append(e.getThrowableProxy().getMessage()).append('\n');
      }
    }
    return new Result(List.copyOf(args), code, out.toString(), err.toString(), log.toString());
  }
}
