package dev.keytrust.agent.cli;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import picocli.CommandLine.Option;

/**
 * {@code --pin-stdin}: read the PIN as one line from standard input instead of the terminal; and
 * the reading itself, with the PIN cleared after use.
 */
final class PinOption {

  @Option(
      names = "--pin-stdin",
      description = "Read the PIN as one line from standard input instead of asking on the terminal.")
  boolean pinStdin;

  /** What is done with a PIN; the PIN is destroyed after it returns or throws. */
  interface PinUse<T> {
    T apply(Pin pin) throws Exception;
  }

  /** The current PIN: one stdin line, else asked once on the terminal ({@code PIN: }). */
  <T> T withPin(CliEnvironment env, PinUse<T> use) throws Exception {
    return use(env, false, use);
  }

  /** A new PIN: one stdin line, else asked twice on the terminal (entry and confirmation). */
  <T> T withNewPin(CliEnvironment env, PinUse<T> use) throws Exception {
    return use(env, true, use);
  }

  private <T> T use(CliEnvironment env, boolean fresh, PinUse<T> use) throws Exception {
    try (Pin pin = read(env, fresh)) {
      return use.apply(pin);
    }
  }

  private Pin read(CliEnvironment env, boolean fresh) throws KeytrustException {
    if (pinStdin) {
      return Pin.moveFrom(PinInput.readLine(env.stdin()));
    }
    return fresh ? PinInput.promptNew(env.console()) : PinInput.prompt(env.console(), "PIN: ");
  }
}
