package dev.keytrust.agent.flow;

import dev.keytrust.agent.mfa.MfaResult;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.error.KeytrustException;
import java.util.Objects;

/** Runs the second factor, or reuses a recent enough one. */
final class MfaStep implements FlowStep<MfaStep.Input, MfaStep.Output> {

  /** @param user the user who proves a second factor */
  record Input(String user) {
    Input {
      Objects.requireNonNull(user, "user");
    }
  }

  /** @param result the completed (or reused) MFA */
  record Output(MfaResult result) {
    /** True when a recent MFA was reused: the step's event is SKIPPED. */
    boolean reused() {
      return result.reused();
    }

    String summary() {
      return result.reused()
          ? "MFA (" + result.completion().method() + ") at " + result.completion().completedAt() + " is recent enough"
          : result.completion().method() + ", " + result.attempts() + " attempt(s)";
    }
  }

  private final MfaRunner mfa;

  MfaStep(MfaRunner mfa) {
    this.mfa = Objects.requireNonNull(mfa, "mfa");
  }

  @Override
  public Output run(Input in) throws KeytrustException {
    return new Output(mfa.run(in.user()));
  }
}
