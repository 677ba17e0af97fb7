package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
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
  void theCliConfigurationIsNotALogbackXmlAnApplicationWouldPickUp() {
    // surefire selects it as KeytrustCli.main does; the agent's jar has no logback.xml or logback-test.xml
    assertThat(System.getProperty("logback.configurationFile")).isEqualTo(Logging.CONFIGURATION);
    assertThat(Logging.class.getClassLoader().getResource(Logging.CONFIGURATION)).isNotNull();
    assertThat(Logging.class.getClassLoader().getResource("logback.xml")).isNull();
    assertThat(Logging.class.getClassLoader().getResource("logback-test.xml")).isNull();
  }

  @Test
  void logbackXmlLoadsWithoutErrorsAndLogsWarnToStderrOnly() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(ctx.getStatusManager().getCopyOfStatusList())
        .noneMatch(s -> s.getLevel() >= Status.WARN);
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(ctx.getLogger("dev.keytrust.agent.cli.Anything").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(root.getAppender("STDERR")).isInstanceOfSatisfying(
        ConsoleAppender.class, a -> assertThat(a.getTarget()).isEqualTo("System.err"));
    assertThat(root.iteratorForAppenders()).toIterable().hasSize(1);
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
