package dev.keytrust.agent.cli;

import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads PINs as {@code char[]}: one line from standard input ({@code --pin-stdin}) or masked from
 * the terminal. No PIN ever becomes a {@link String}; the arrays returned belong to the caller,
 * who clears them with {@link Arrays#fill(char[], char)} in a {@code finally}.
 */
final class PinInput {

  /** Longest PIN line accepted from stdin, so a wrong redirect cannot fill the heap. */
  static final int MAX_LENGTH = 1024;

  private PinInput() {}

  /**
   * Reads one line from {@code in} as UTF-8, without a line terminator ({@code \n}, or
   * {@code \r\n}), character by character into a {@code char[]} that is wiped as it grows.
   *
   * @throws KeytrustException PIN_INVALID when the line is empty, or stdin is at its end, or the
   *     line is longer than {@link #MAX_LENGTH}
   */
  static char[] readLine(InputStream in) throws KeytrustException {
    return readLine(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  static char[] readLine(Reader reader) throws KeytrustException {
    char[] buf = new char[64];
    int len = 0;
    boolean sawNewline = false;
    try {
      int c;
      while ((c = reader.read()) != -1) {
        if (c == '\n') {
          sawNewline = true;
          break;
        }
        if (len == MAX_LENGTH) {
          throw new KeytrustException(
              ErrorCode.PIN_INVALID,
              "The PIN line on standard input is longer than " + MAX_LENGTH
                  + " characters: pass only the PIN, followed by a newline.");
        }
        if (len == buf.length) {
          char[] bigger = Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_LENGTH));
          Arrays.fill(buf, '\0');
          buf = bigger;
        }
        buf[len++] = (char) c;
      }
      if (len > 0 && buf[len - 1] == '\r') {
        len--;
        buf[len] = '\0';
      }
      if (len == 0) {
        throw new KeytrustException(
            ErrorCode.PIN_INVALID,
            sawNewline
                ? "The PIN read from standard input is empty: write the PIN followed by a newline."
                : "No PIN on standard input (--pin-stdin): write the PIN followed by a newline.");
      }
      return Arrays.copyOf(buf, len);
    } catch (IOException e) {
      throw new KeytrustException(
          ErrorCode.INVALID_ARGUMENT, "Cannot read the PIN from standard input: " + e.getMessage(), e);
    } finally {
      Arrays.fill(buf, '\0');
    }
  }

  /**
   * Prompts for a PIN on the terminal, with echo off.
   *
   * @throws KeytrustException INVALID_ARGUMENT when there is no terminal, PIN_INVALID when the
   *     answer is empty or input ended
   */
  static char[] prompt(PinConsole console, String prompt) throws KeytrustException {
    if (console == null) {
      throw new KeytrustException(
          ErrorCode.INVALID_ARGUMENT,
          "No terminal to ask for the PIN: use --pin-stdin and write the PIN to standard input.");
    }
    char[] pin = console.readPassword(prompt);
    if (pin == null || pin.length == 0) {
      throw new KeytrustException(ErrorCode.PIN_INVALID, "No PIN was entered: type the PIN and press Enter.");
    }
    return pin;
  }

  /**
   * Prompts for a new PIN and its confirmation; returns the PIN when both match.
   *
   * @throws KeytrustException PIN_MISMATCH when the two entries differ
   */
  static char[] promptNew(PinConsole console) throws KeytrustException {
    char[] pin = prompt(console, "New PIN: ");
    char[] confirm = null;
    boolean ok = false;
    try {
      confirm = prompt(console, "Confirm PIN: ");
      if (!sameChars(pin, confirm)) {
        throw new KeytrustException(
            ErrorCode.PIN_MISMATCH,
            "The PIN and its confirmation differ: run the command again and type the same PIN twice.");
      }
      ok = true;
      return pin;
    } finally {
      if (confirm != null) {
        Arrays.fill(confirm, '\0');
      }
      if (!ok) {
        Arrays.fill(pin, '\0');
      }
    }
  }

  /** Compares in time that depends on the lengths only. */
  static boolean sameChars(char[] a, char[] b) {
    if (a.length != b.length) {
      return false;
    }
    int diff = 0;
    for (int i = 0; i < a.length; i++) {
      diff |= a[i] ^ b[i];
    }
    return diff == 0;
  }
}
