package dev.keytrust.agent.cli;

import dev.keytrust.agent.pin.ConsolePinSource;
import dev.keytrust.agent.pin.PinCreation;
import dev.keytrust.agent.pin.PinEntry;
import dev.keytrust.agent.pin.PinLines;
import dev.keytrust.agent.pin.PinQuestion;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import java.io.InputStream;
import java.io.Reader;

/**
 * The CLI's PIN input on top of {@code dev.keytrust.agent.pin}: one line from standard input
 * ({@code --pin-stdin}) or masked from the terminal. No PIN ever becomes a {@link String}; the
 * arrays and {@link Pin}s returned belong to the caller, who clears or destroys them.
 */
final class PinInput {

  /** Longest PIN line accepted from stdin, so a wrong redirect cannot fill the heap. */
  static final int MAX_LENGTH = PinLines.MAX_LENGTH;

  private PinInput() {}

  /**
   * Reads one line from {@code in} as UTF-8 (see {@link PinLines#readLine}).
   *
   * @throws KeytrustException PIN_INVALID when the line is empty, or stdin is at its end, or the
   *     line is longer than {@link #MAX_LENGTH}
   */
  static char[] readLine(InputStream in) throws KeytrustException {
    return readLine(PinLines.strictUtf8(in));
  }

  static char[] readLine(Reader reader) throws KeytrustException {
    return PinLines.readLine(reader);
  }

  /**
   * Prompts for a PIN on the terminal, with echo off.
   *
   * @throws KeytrustException INVALID_ARGUMENT when there is no terminal, PIN_INVALID when the
   *     answer is empty or input ended
   */
  static Pin prompt(PinConsole console, String prompt) throws KeytrustException {
    requireTerminal(console);
    return PinEntry.current(new ConsolePinSource(new ConsolePinSource.Terminal() {
      @Override
      public char[] readMasked(String ignored) {
        return console.readPassword(prompt);
      }

      @Override
      public void println(String line) {
        console.println(line);
      }
    }));
  }

  /**
   * Prompts for a new PIN and its confirmation (one attempt, no complexity rules); returns the PIN
   * when both match.
   *
   * @throws KeytrustException PIN_MISMATCH when the two entries differ
   */
  static Pin promptNew(PinConsole console) throws KeytrustException {
    requireTerminal(console);
    return PinCreation.confirmOnly().withMaxAttempts(1).create(source(console));
  }

  /** The terminal as a PIN source for the PIN library ({@link PinQuestion} prompts). */
  static PinSource source(PinConsole console) throws KeytrustException {
    requireTerminal(console);
    return new ConsolePinSource(console);
  }

  private static void requireTerminal(PinConsole console) throws KeytrustException {
    if (console == null) {
      throw new KeytrustException(
          CoreErrorCode.INVALID_ARGUMENT,
          "No terminal to ask for the PIN: use --pin-stdin and write the PIN to standard input.");
    }
  }
}
