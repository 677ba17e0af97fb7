package dev.keytrust.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels the CLI controls; logback.xml sets WARN to stderr as the default. */
final class Logging {

  /** The logger every keytrust class logs under. */
  static final String KEYTRUST = "dev.keytrust";

  private Logging() {}

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
