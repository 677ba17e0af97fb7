package dev.keytrust.agent.cli;

import dev.keytrust.agent.pin.ConsolePinSource;

/**
 * The terminal the CLI asks PINs from; a seam so tests can answer prompts. It is the PIN library's
 * {@link ConsolePinSource.Terminal}, and the real one is that library's ({@link
 * ConsolePinSource#systemTerminal}).
 */
interface PinConsole extends ConsolePinSource.Terminal {

  /** Shows {@code prompt} and reads a line with echo off; null when input has ended. */
  char[] readPassword(String prompt);

  @Override
  default char[] readMasked(String prompt) {
    return readPassword(prompt);
  }

  /** Shows a line of text (unmet PIN rules, a mismatch); the default shows nothing. */
  @Override
  default void println(String line) {}

  /** The process's terminal, or null when stdin or stdout is not one. */
  static PinConsole system() {
    return ConsolePinSource.systemTerminal().map(PinConsole::of).orElse(null);
  }

  /** {@code terminal} as a console. */
  static PinConsole of(ConsolePinSource.Terminal terminal) {
    return new PinConsole() {
      @Override
      public char[] readPassword(String prompt) {
        return terminal.readMasked(prompt);
      }

      @Override
      public void println(String line) {
        terminal.println(line);
      }
    };
  }
}
