package dev.keytrust.agent.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * logback's configurator SPI (registered in META-INF/services): in the CLI's JVM ({@code main} set
 * {@value Logging#CLI_PROPERTY}) it gives logback the CLI's default configuration ({@link
 * Logging#configure}) when logback starts, before logback looks for configuration files or falls
 * back to its console configuration (whose date pattern loads the time-zone rules); in any other
 * JVM, or one that names a configuration (-Dlogback.configurationFile, a logback(-test).xml), it
 * leaves logback to its own search. Not an API: public only for the service loader.
 */
public final class CliLogbackConfigurator extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (!Boolean.getBoolean(Logging.CLI_PROPERTY) || Logging.namesAnother()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Logging.configure(context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
