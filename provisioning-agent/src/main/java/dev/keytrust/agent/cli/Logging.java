package dev.keytrust.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging of the command line: {@value #CONFIGURATION} sets WARN to stderr as the default, and
 * {@code -v} raises keytrust's loggers. Logback is the CLI's backend only (an optional dependency of
 * the library, shaded into keytrust-cli.jar).
 */
final class Logging {

  /** The logger every keytrust class logs under. */
  static final String KEYTRUST = "dev.keytrust";

  /**
   * The CLI's logback configuration, a class path resource. Not named {@code logback.xml}, which
   * logback would load in any application that has the agent's jar on its class path.
   */
  static final String CONFIGURATION = "keytrust-cli-logback.xml";

  private static final String CONFIGURATION_PROPERTY = "logback.configurationFile";

  private Logging() {}

  /**
   * Makes logback load {@link #CONFIGURATION} unless {@code -Dlogback.configurationFile} names
   * another; called before anything logs.
   */
  static void useCliConfiguration() {
    if (System.getProperty(CONFIGURATION_PROPERTY) == null) {
      System.setProperty(CONFIGURATION_PROPERTY, CONFIGURATION);
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
