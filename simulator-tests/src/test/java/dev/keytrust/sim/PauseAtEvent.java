package dev.keytrust.sim;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.event.KeyValuePair;

/**
 * Test hook for {@link FlowKillTest}, configured only in the logback file that test gives the
 * keytrust process it kills: when the flow logs the step event named by the system property
 * {@value #PROPERTY} ({@code STEP:OUTCOME}, e.g. {@code key:SUCCEEDED}) to the events logger, it
 * prints {@code KT-PAUSED STEP OUTCOME} on stderr and stops that thread for good, so the test kills
 * the process at exactly that point. The flow logs each event before the next thing it does (for
 * an end event: before the journal write that follows the step).
 */
public final class PauseAtEvent extends AppenderBase<ILoggingEvent> {
  public static final String PROPERTY = "kt.pauseAt";
  public static final String PAUSED = "KT-PAUSED";

  @Override
  protected void append(ILoggingEvent event) {
    String at = System.getProperty(PROPERTY);
    if (at == null || event.getKeyValuePairs() == null) {
      return;
    }
    String step = null;
    String outcome = null;
    for (KeyValuePair kv : event.getKeyValuePairs()) {
      if (kv.key.equals("step")) {
        step = String.valueOf(kv.value);
      } else if (kv.key.equals("outcome")) {
        outcome = String.valueOf(kv.value);
      }
    }
    if (at.equals(step + ":" + outcome)) {
      System.err.println(PAUSED + " " + step + " " + outcome);
      System.err.flush();
      while (true) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          // only SIGKILL ends this
        }
      }
    }
  }
}
