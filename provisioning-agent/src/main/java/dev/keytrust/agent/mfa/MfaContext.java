package dev.keytrust.agent.mfa;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * What providers get from the program that runs them, besides their settings.
 *
 * @param clock the time (TOTP time steps)
 * @param stateDir where providers keep per-user state (TOTP replay protection); empty keeps it in
 *     memory for the provider's lifetime only
 * @param codePrompt how to ask the user for a code; empty when nobody can type one
 */
public record MfaContext(Clock clock, Optional<Path> stateDir, Optional<MfaCodePrompt> codePrompt) {

  public MfaContext {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(codePrompt, "codePrompt");
  }

  /** System clock, state in {@code stateDir}, codes from {@code codePrompt}. */
  public static MfaContext of(Path stateDir, MfaCodePrompt codePrompt) {
    return new MfaContext(Clock.systemUTC(), Optional.of(stateDir), Optional.of(codePrompt));
  }
}
