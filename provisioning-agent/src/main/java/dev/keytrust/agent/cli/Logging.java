package dev.keytrust.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.status.NopStatusListener;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;

/**
 * The CLI's logging: WARN and above to stderr as {@code keytrust LEVEL logger - message} (stdout
 * carries results only), set up in code by {@link #configureDefault()} so that no XML
 * configuration (logback's Joran and the JDK's XML parser, ~300 classes) is read when a command
 * starts; and the levels {@code -v} changes. A JVM started with {@code -Dlogback.configurationFile}
 * (tests, the kill test's pause hook) or with a {@code logback-test.xml} / {@code logback.xml} on
 * its class path keeps that configuration.
 */
final class Logging {

  /** The logger every keytrust class logs under. */
  static final String KEYTRUST = "dev.keytrust";
  /** The flow's step events: provision, PIN change and reset print each as a progress line already. */
  static final String EVENTS = "keytrust.events";
  /**
   * Set by the CLI's {@code main} before anything logs: only then does {@link CliLogbackConfigurator}
   * configure logback (a library user's JVM keeps logback's own defaults).
   */
  static final String CLI_PROPERTY = "keytrust.cli.logging";
  /** The system property that names SLF4J's provider (SLF4J 2.0.9+). */
  static final String SLF4J_PROVIDER = "slf4j.provider";
  /** SLF4J's own messages: at WARN it does not announce the provider named above (INFO). */
  static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

  private static volatile boolean configured;

  private Logging() {}

  static boolean namesAnother() {
    if (System.getProperty("logback.configurationFile") != null) {
      return true;
    }
    ClassLoader loader = Logging.class.getClassLoader();
    return loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
  }

  /**
   * The default configuration, unless the JVM names another (see the class comment): root WARN to
   * stderr, {@value #KEYTRUST} WARN, {@value #EVENTS} ERROR. Called first thing by {@code main}:
   * names {@link CliLogProvider} to SLF4J unless the JVM names a provider.
   */
  static void configureDefault() {
    if (System.getProperty(CLI_PROPERTY) == null) {
      System.setProperty(CLI_PROPERTY, "true");
    }
    if (namesAnother()) {
      return;
    }
    if (System.getProperty(SLF4J_PROVIDER) == null) {
      // logback configured by CliLogProvider, without logback's auto-configuration
      System.setProperty(SLF4J_PROVIDER, CliLogProvider.class.getName());
      if (System.getProperty(SLF4J_VERBOSITY) == null) {
        System.setProperty(SLF4J_VERBOSITY, "WARN");
      }
    }
    // starts SLF4J and logback: CliLogProvider configures it, or (another provider named) logback
    // asks CliLogbackConfigurator first; configure here only if neither did
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context && !configured) {
      configure(context);
    } // else another SLF4J provider: its own configuration
  }

  /** Replaces {@code context}'s configuration with the CLI's default (see {@link #configureDefault()}). */
  static void configure(LoggerContext context) {
    configured = true;
    context.reset();
    // as logback.xml's NopStatusListener did: logback's own status messages stay quiet, and logback
    // does not start its status printer (with its date format and the time-zone rules) for them
    NopStatusListener quiet = new NopStatusListener();
    context.getStatusManager().add(quiet);
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setCharset(StandardCharsets.UTF_8);
    CliLayout layout = new CliLayout();
    layout.setContext(context);
    layout.start();
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger(KEYTRUST).setLevel(Level.WARN);
    context.getLogger(EVENTS).setLevel(Level.ERROR);
  }

  /** {@code keytrust %-5level %logger{24} - %msg%n} and the stack trace, without a pattern parser. */
  static final class CliLayout extends LayoutBase<ILoggingEvent> {
    private final TargetLengthBasedClassNameAbbreviator abbreviator = new TargetLengthBasedClassNameAbbreviator(24);

    @Override
    public String doLayout(ILoggingEvent event) {
      StringBuilder b = new StringBuilder(128).append("keytrust ");
      String level = event.getLevel().toString();
      b.append(level);
      for (int i = level.length(); i < 5; i++) {
        b.append(' ');
      }
      b.append(' ').append(abbreviator.abbreviate(event.getLoggerName())).append(" - ")
          .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        b.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
      }
      return b.toString();
    }
  }

  /** {@code -v/--verbose}: keytrust loggers at DEBUG (still on stderr), or back to the default. */
  static void setVerbose(boolean verbose) {
    if (LoggerFactory.getLogger(KEYTRUST) instanceof Logger logger) {
      logger.setLevel(verbose ? Level.DEBUG : null);
    }
  }

  static boolean isVerbose() {
    return LoggerFactory.getLogger(KEYTRUST).isDebugEnabled();
  }
}
