package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {

  @AfterEach
  void reset() {
    Logging.setVerbose(false);
  }

  @Test
  void theAgentsJarHasNoLogbackXmlAnApplicationWouldPickUp() {
    // the class path holds the module's classes and the tests' logback-test.xml, not a logback.xml
    assertThat(Logging.class.getClassLoader().getResource("logback.xml")).isNull();
  }

  @Test
  void theDefaultConfigurationIsMadeInCodeAndLogsWarnToStderrOnly() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    try {
      Logging.configure(ctx);
      assertThat(ctx.getStatusManager().getCopyOfStatusList())
          .noneMatch(s -> s.getLevel() >= Status.WARN);
      Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      assertThat(root.getLevel()).isEqualTo(Level.WARN);
      assertThat(ctx.getLogger("dev.keytrust.agent.cli.Anything").getEffectiveLevel()).isEqualTo(Level.WARN);
      assertThat(ctx.getLogger("keytrust.events").getEffectiveLevel()).isEqualTo(Level.ERROR);
      assertThat(root.getAppender("STDERR")).isInstanceOfSatisfying(
          ConsoleAppender.class, a -> assertThat(a.getTarget()).isEqualTo("System.err"));
      assertThat(root.iteratorForAppenders()).toIterable().hasSize(1);
      // the line logback.xml's pattern made: keytrust %-5level %logger{24} - %msg%n, and the stack trace
      Logging.CliLayout layout = new Logging.CliLayout();
      layout.setContext(ctx);
      String line = layout.doLayout(new LoggingEvent("x", ctx.getLogger("dev.keytrust.tpm.TpmSession"), Level.WARN,
          "the TPM said {}", new IllegalStateException("boom"), new Object[] {"no"}));
      assertThat(line).startsWith("keytrust WARN  d.k.tpm.TpmSession - the TPM said no" + System.lineSeparator())
          .contains("java.lang.IllegalStateException: boom");
    } finally {
      ctx.reset();
      new ContextInitializer(ctx).autoConfig(); // the tests' logback-test.xml again
    }
  }

  @Test
  void theClisProviderGivesSlf4jLogbackWithTheDefaultConfiguration() {
    CliLogProvider provider = new CliLogProvider();
    provider.initialize();
    assertThat(provider.getLoggerFactory()).isInstanceOfSatisfying(LoggerContext.class, ctx -> {
      assertThat(ctx.isStarted()).isTrue();
      assertThat(ctx.getName()).isEqualTo("default");
      Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      assertThat(root.getLevel()).isEqualTo(Level.WARN);
      assertThat(root.getAppender("STDERR")).isInstanceOfSatisfying(
          ConsoleAppender.class, a -> assertThat(a.getTarget()).isEqualTo("System.err"));
      assertThat(ctx.getLogger("keytrust.events").getEffectiveLevel()).isEqualTo(Level.ERROR);
      assertThat(ctx.getMDCAdapter()).isSameAs(provider.getMDCAdapter());
      assertThat(ctx.getStatusManager().getCopyOfStatusList()).noneMatch(s -> s.getLevel() >= Status.WARN);
    });
    assertThat(provider.getMarkerFactory()).isNotNull();
    // the SLF4J API version logback's own provider asks for, so SLF4J accepts it the same way
    assertThat(provider.getRequestedApiVersion())
        .isEqualTo(new ch.qos.logback.classic.spi.LogbackServiceProvider().getRequestedApiVersion());
  }

  @Test
  void theConfiguratorActsOnlyInTheCliAndOnlyWithoutAConfigurationFile() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    CliLogbackConfigurator c = new CliLogbackConfigurator();
    String before = System.getProperty(Logging.CLI_PROPERTY);
    try {
      System.clearProperty(Logging.CLI_PROPERTY);
      // a library user's JVM: logback goes on with its own search
      assertThat(c.configure(ctx)).isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      System.setProperty(Logging.CLI_PROPERTY, "true");
      // the CLI, but this test JVM has a logback-test.xml: kept
      assertThat(c.configure(ctx)).isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    } finally {
      if (before == null) {
        System.clearProperty(Logging.CLI_PROPERTY);
      } else {
        System.setProperty(Logging.CLI_PROPERTY, before);
      }
    }
  }

  @Test
  void verboseRaisesKeytrustLoggersToDebugAndBack() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logging.setVerbose(true);
    assertThat(ctx.getLogger("dev.keytrust.tpm.TpmSession").getEffectiveLevel()).isEqualTo(Level.DEBUG);
    assertThat(ctx.getLogger("org.bouncycastle").getEffectiveLevel()).isEqualTo(Level.WARN);
    Logging.setVerbose(false);
    assertThat(ctx.getLogger("dev.keytrust.tpm.TpmSession").getEffectiveLevel()).isEqualTo(Level.WARN);
  }
}
