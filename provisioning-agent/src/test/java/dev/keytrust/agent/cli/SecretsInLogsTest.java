package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * With {@code -v} (everything keytrust logs, at DEBUG), a whole key life cycle logs plenty, but
 * never the PIN: every event's message, arguments and exception text are checked.
 */
class SecretsInLogsTest {
  private static final String PIN = "log-check-8362";
  private static final String WRONG = "log-wrong-5917";

  @TempDir Path store;
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger keytrust;

  @BeforeEach
  void capture() {
    keytrust = (Logger) LoggerFactory.getLogger(Logging.KEYTRUST);
    events.start();
    keytrust.addAppender(events);
  }

  @AfterEach
  void release() {
    keytrust.detachAppender(events);
    Logging.setVerbose(false);
  }

  private CliRunner.Result run(String stdin, String... args) {
    return new CliRunner().stdin(stdin).run(args);
  }

  @Test
  void verboseLogsNeverHoldThePin() {
    String s = store.toString();
    assertThat(run(PIN + "\n", "-v", "key", "create", "--user", "hank", "--alg", "p256", "--tpm", "software",
        "--store", s, "--pin-stdin").exitCode()).isZero();
    assertThat(run(PIN + "\n", "-v", "key", "sign", "--user", "hank", "--data-hex", "00", "--store", s,
        "--pin-stdin").exitCode()).isZero();
    assertThat(run(WRONG + "\n", "-v", "key", "sign", "--user", "hank", "--data-hex", "00", "--store", s,
        "--pin-stdin").exitCode()).isEqualTo(1);
    assertThat(run("", "-v", "key", "delete", "--user", "hank", "--store", s).exitCode()).isZero();

    assertThat(events.list).as("-v logs the life cycle").isNotEmpty()
        .anySatisfy(e -> assertThat(e.getLevel().toString()).isEqualTo("DEBUG"));
    for (ILoggingEvent e : events.list) {
      String all = e.getFormattedMessage() + " " + Arrays.toString(e.getArgumentArray())
          + (e.getThrowableProxy() != null ? " " + e.getThrowableProxy().getMessage() : "");
      assertThat(all).as(e.toString()).doesNotContain(PIN).doesNotContain(WRONG);
    }
  }
}
