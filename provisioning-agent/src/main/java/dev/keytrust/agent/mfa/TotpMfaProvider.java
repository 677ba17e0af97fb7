package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MFA method {@code totp}: the user types the current code of an authenticator app (RFC 6238), read
 * through an {@link MfaCodePrompt} as {@code char[]}. A code is accepted for the current time step
 * and one step on either side (clock drift), compared in constant time, and only once: a step at or
 * before the last accepted one is refused ({@link TotpReplayGuard}). Spaces in the typed code are
 * ignored.
 *
 * <p>Outcomes: SUCCEEDED; DENIED for a wrong, malformed or reused code; TIMED_OUT when the code came
 * after the attempt's timeout (typing cannot be interrupted, so the prompt stays until answered);
 * FAILED when input ended or the used code cannot be recorded.
 */
public final class TotpMfaProvider implements MfaProvider {
  private static final Logger LOG = LoggerFactory.getLogger(TotpMfaProvider.class);

  /** The method's name. */
  public static final String NAME = "totp";

  private final Totp totp;
  private final MfaCodePrompt prompt;
  private final Clock clock;
  private final TotpReplayGuard replay;

  /**
   * @param totp the generator (the provider destroys it on {@link #close()})
   * @param prompt how to ask for the code
   * @param clock the time the code must match
   * @param stateDir where used time steps are kept; empty keeps them in memory only
   */
  public TotpMfaProvider(Totp totp, MfaCodePrompt prompt, Clock clock, Optional<Path> stateDir) {
    this.totp = Objects.requireNonNull(totp, "totp");
    this.prompt = Objects.requireNonNull(prompt, "prompt");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.replay = new TotpReplayGuard(Objects.requireNonNull(stateDir, "stateDir"));
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * @throws AgentException MFA_STATE_IO when the replay state of the user cannot be read
   */
  @Override
  public MfaChallenge start(String user) throws AgentException {
    replay.lastAccepted(user);
    String instructions = "Enter the " + totp.digits() + "-digit code from your authenticator app.";
    return new MfaChallenge() {
      @Override
      public String instructions() {
        return instructions;
      }

      @Override
      public MfaOutcome await(Duration timeout) {
        long started = System.nanoTime();
        char[] typed;
        try {
          typed = prompt.askCode(user, instructions);
        } catch (AgentException e) {
          return MfaOutcome.failed(e.getMessage());
        }
        if (typed == null) {
          return MfaOutcome.failed("no code was entered");
        }
        char[] code = withoutSpaces(typed);
        try {
          if (System.nanoTime() - started > timeout.toNanos()) {
            return MfaOutcome.timedOut("the code was entered after the time limit");
          }
          if (code.length != totp.digits() || !allDigits(code)) {
            return MfaOutcome.denied("a code has " + totp.digits() + " digits");
          }
          OptionalLong step = totp.match(code, clock.instant());
          if (step.isEmpty()) {
            return MfaOutcome.denied("the code is wrong or has expired (check that this computer's and the"
                + " authenticator's clocks are right)");
          }
          if (!replay.accept(user, step.getAsLong())) {
            return MfaOutcome.denied("this code was already used; wait for the next code");
          }
          LOG.debug("TOTP accepted for user {}", user);
          return MfaOutcome.succeeded();
        } catch (AgentException e) {
          return MfaOutcome.failed(e.getMessage());
        } finally {
          Arrays.fill(typed, '\0');
          Arrays.fill(code, '\0');
        }
      }
    };
  }

  private static char[] withoutSpaces(char[] typed) {
    int n = 0;
    char[] out = new char[typed.length];
    for (char c : typed) {
      if (c != ' ') {
        out[n++] = c;
      }
    }
    char[] exact = Arrays.copyOf(out, n);
    Arrays.fill(out, '\0');
    return exact;
  }

  private static boolean allDigits(char[] code) {
    boolean ok = true;
    for (char c : code) {
      ok &= c >= '0' && c <= '9';
    }
    return ok;
  }

  /** Destroys the TOTP secret. */
  @Override
  public void close() {
    totp.destroy();
  }

  @Override
  public String toString() {
    return "TotpMfaProvider[" + totp + "]";
  }
}
