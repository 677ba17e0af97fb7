package dev.keytrust.lab;

import dev.keytrust.agent.mfa.MfaChallenge;
import dev.keytrust.agent.mfa.MfaOutcome;
import dev.keytrust.agent.mfa.MfaProvider;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.pin.PinQuestion;
import dev.keytrust.agent.pin.PinSource;
import java.time.Duration;
import java.util.Objects;

/**
 * The user's side of a provisioning nobody watches (the fleet, the benchmarks): an MFA method that
 * succeeds at once and a PIN typed at every question without a pause.
 */
public final class Unattended {
  private Unattended() {}

  /** An MFA method named {@code name} that succeeds at once, tried once. */
  public static MfaRunner instantMfa(String name) {
    Objects.requireNonNull(name, "name");
    MfaProvider provider = new MfaProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public MfaChallenge start(String user) {
        return MfaChallenge.finished("Nothing to do.", MfaOutcome.succeeded());
      }
    };
    return MfaRunner.builder(provider).maxAttempts(1).attemptTimeout(Duration.ofSeconds(5)).build();
  }

  /** Types {@code pin} at every question, at once, and shows nothing. */
  public static PinSource pin(String pin) {
    Objects.requireNonNull(pin, "pin");
    return new PinSource() {
      @Override
      public char[] read(PinQuestion question) {
        return pin.toCharArray();
      }

      @Override
      public void tell(String message) {
        // nothing to show
      }

      @Override
      public boolean interactive() {
        return true;
      }
    };
  }
}
