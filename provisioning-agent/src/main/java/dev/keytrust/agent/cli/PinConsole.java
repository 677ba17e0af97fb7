package dev.keytrust.agent.cli;

import dev.keytrust.agent.pin.ConsolePinSource;
import java.io.Console;
import java.io.PrintWriter;

/** The terminal the CLI asks PINs from; a seam so tests can answer prompts. */
interface PinConsole {

  /** Shows {@code prompt} and reads a line with echo off; null when input has ended. */
  char[] readPassword(String prompt);

  /** Shows a line of text (unmet PIN rules, a mismatch); the default shows nothing. */
  default void println(String line) {}

  /** This console as the PIN library's terminal. */
  default ConsolePinSource.Terminal asTerminal() {
    PinConsole self = this;
    return new ConsolePinSource.Terminal() {
      @Override
      public char[] readMasked(String prompt) {
        return self.readPassword(prompt);
      }

      @Override
      public void println(String line) {
        self.println(line);
      }
    };
  }

  /** The process's terminal, or null when stdin or stdout is not one. */
  static PinConsole system() {
    Console console = System.console();
    if (console == null) {
      return null;
    }
    return new PinConsole() {
      @Override
      public char[] readPassword(String prompt) {
        return console.readPassword("%s", prompt);
      }

      @Override
      public void println(String line) {
        PrintWriter w = console.writer();
        w.println(line);
        w.flush();
      }
    };
  }
}
