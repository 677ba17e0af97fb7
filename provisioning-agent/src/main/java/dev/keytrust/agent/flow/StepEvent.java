package dev.keytrust.agent.flow;

import dev.keytrust.error.ErrorCode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One structured event of a run: a step started or ended. Holds no secret: the detail is a short
 * text such as the provider chosen or the key id.
 *
 * @param runId the run's id (a random UUID), the same in every event of one run
 * @param operation the operation the run performs
 * @param step the step
 * @param outcome what happened
 * @param duration how long the step took; zero for {@link StepOutcome#STARTED}
 * @param errorCode the error of a {@link StepOutcome#FAILED} step, else null
 * @param detail a short description of the result, or null
 */
public record StepEvent(
    String runId,
    FlowOperation operation,
    StepId step,
    StepOutcome outcome,
    Duration duration,
    ErrorCode errorCode,
    String detail) {

  /** The SLF4J logger every event is logged to (key-value pairs, SLF4J 2). */
  public static final String LOGGER = "keytrust.events";

  public StepEvent {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(duration, "duration");
    if ((outcome == StepOutcome.FAILED) != (errorCode != null)) {
      throw new IllegalArgumentException("an error code goes with FAILED, and only with it");
    }
  }

  /** The step's title, e.g. {@code Create the key}. */
  public String name() {
    return step.title();
  }

  /** The error code of a failed step. */
  public Optional<ErrorCode> error() {
    return Optional.ofNullable(errorCode);
  }

  public Optional<String> details() {
    return Optional.ofNullable(detail);
  }
}
