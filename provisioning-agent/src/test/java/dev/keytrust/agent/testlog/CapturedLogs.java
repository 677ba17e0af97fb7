package dev.keytrust.agent.testlog;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Everything {@code dev.keytrust} logs at DEBUG and above while open, as text. */
public final class CapturedLogs implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.keytrust");
  private final Level before = logger.getLevel();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();

  public CapturedLogs() {
    events.start();
    logger.addAppender(events);
    logger.setLevel(Level.DEBUG);
  }

  /** Each event's message, arguments and exception chain messages. */
  public List<String> texts() {
    return events.list.stream().map(CapturedLogs::text).collect(Collectors.toList());
  }

  private static String text(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(e.getFormattedMessage()).append(' ')
        .append(Arrays.toString(e.getArgumentArray()));
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return sb.toString();
  }

  @Override
  public void close() {
    logger.detachAppender(events);
    logger.setLevel(before);
  }
}
