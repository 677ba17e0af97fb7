package dev.keytrust.agent.flow;

import dev.keytrust.agent.pin.PinCreation;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.pin.PinPolicy;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import java.util.Objects;

/** Asks the new PIN and its confirmation until it meets the PIN rules and the history. */
final class PinStep implements FlowStep<PinStep.Input, PinStep.Output> {

  /**
   * @param policy the PIN rules
   * @param history the user's PIN history
   */
  record Input(PinPolicy policy, PinHistory history) {
    Input {
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(history, "history");
    }
  }

  /** @param pin the new PIN, the caller's to destroy */
  record Output(Pin pin) {
    String summary() {
      return "the PIN meets the PIN rules";
    }
  }

  private final PinSource pins;

  PinStep(PinSource pins) {
    this.pins = Objects.requireNonNull(pins, "pins");
  }

  @Override
  public Output run(Input in) throws KeytrustException {
    return new Output(PinCreation.forPolicy(in.policy()).withHistory(in.history()).create(pins));
  }
}
