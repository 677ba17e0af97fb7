package dev.keytrust.agent.flow;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The events of one run: each step is run through {@link #run}, which emits {@link
 * StepOutcome#STARTED} and then the step's end event (or {@link StepOutcome#FAILED} with the error
 * code), to the logger {@value StepEvent#LOGGER} and to the listener.
 */
final class FlowEvents {
  private static final Logger EVENTS = LoggerFactory.getLogger(StepEvent.LOGGER);
  private static final Logger LOG = LoggerFactory.getLogger(FlowEvents.class);

  /** A step's body: does the work and says how it ended. */
  @FunctionalInterface
  interface Body<T> {
    Done<T> run() throws KeytrustException;
  }

  /**
   * How a step ended.
   *
   * @param value the step's output
   * @param outcome SUCCEEDED, SKIPPED or REUSED
   * @param detail a short text without secrets, or null
   */
  record Done<T>(T value, StepOutcome outcome, String detail) {
    Done {
      if (outcome == StepOutcome.STARTED || outcome == StepOutcome.FAILED) {
        throw new IllegalArgumentException("a step ends with SUCCEEDED, SKIPPED or REUSED, not " + outcome);
      }
    }

    static <T> Done<T> succeeded(T value, String detail) {
      return new Done<>(value, StepOutcome.SUCCEEDED, detail);
    }

    static <T> Done<T> skipped(T value, String detail) {
      return new Done<>(value, StepOutcome.SKIPPED, detail);
    }

    static <T> Done<T> reused(T value, String detail) {
      return new Done<>(value, StepOutcome.REUSED, detail);
    }
  }

  private final String runId;
  private final FlowOperation operation;
  private final FlowListener listener;
  private final List<StepEvent> events = new ArrayList<>();

  FlowEvents(String runId, FlowOperation operation, FlowListener listener) {
    this.runId = Objects.requireNonNull(runId, "runId");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  String runId() {
    return runId;
  }

  FlowOperation operation() {
    return operation;
  }

  /** Runs one step with its events; rethrows what the step throws after the FAILED event. */
  <T> T run(StepId step, Body<T> body) throws KeytrustException {
    emit(new StepEvent(runId, operation, step, StepOutcome.STARTED, Duration.ZERO, null, null));
    long start = System.nanoTime();
    Done<T> done;
    try {
      done = body.run();
    } catch (KeytrustException e) {
      emit(new StepEvent(runId, operation, step, StepOutcome.FAILED, since(start), e.code(), null));
      throw e;
    } catch (RuntimeException | Error e) {
      emit(new StepEvent(runId, operation, step, StepOutcome.FAILED, since(start), CoreErrorCode.INTERNAL, null));
      throw e;
    }
    emit(new StepEvent(runId, operation, step, done.outcome(), since(start), null, done.detail()));
    return done.value();
  }

  /** A step that had nothing to do this time: STARTED and SKIPPED at once. */
  void skip(StepId step, String detail) throws KeytrustException {
    run(step, () -> Done.skipped(null, detail));
  }

  /** Every event so far, in order. */
  List<StepEvent> events() {
    return List.copyOf(events);
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private void emit(StepEvent e) {
    events.add(e);
    log(e);
    try {
      listener.onEvent(e);
    } catch (RuntimeException ex) {
      LOG.warn("The flow listener failed on {} {}: {}", e.step().id(), e.outcome(), ex.toString());
    }
  }

  private static void log(StepEvent e) {
    Level level = e.outcome() == StepOutcome.FAILED ? Level.WARN : Level.INFO;
    if (!EVENTS.isEnabledForLevel(level)) {
      return; // the CLI logs them at ERROR only: nothing to build
    }
    LoggingEventBuilder b = EVENTS.atLevel(level);
    b = b.addKeyValue("runId", e.runId())
        .addKeyValue("operation", e.operation().id())
        .addKeyValue("step", e.step().id())
        .addKeyValue("name", e.name())
        .addKeyValue("outcome", e.outcome().name())
        .addKeyValue("durationMs", e.duration().toMillis());
    if (e.errorCode() != null) {
      b = b.addKeyValue("errorCode", e.errorCode().id());
    }
    if (e.detail() != null) {
      b = b.addKeyValue("detail", e.detail());
    }
    b.log("{} {} {} {}{}{}", e.operation().id(), e.step().id(), e.outcome(),
        e.outcome() == StepOutcome.STARTED ? "" : e.duration().toMillis() + " ms",
        e.errorCode() == null ? "" : " " + e.errorCode().id(),
        e.detail() == null ? "" : ": " + e.detail());
  }
}
