package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import dev.keytrust.error.CoreErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads one PIN line from a {@link Reader} into a {@code char[]}, never through a {@link String}. */
public final class PinLines {

  /** Longest PIN line accepted, so a wrong redirect cannot fill the heap. */
  public static final int MAX_LENGTH = 1024;

  private PinLines() {}

  /**
   * A reader of {@code in} as strict UTF-8: malformed bytes fail the read ({@link #readLine} says
   * so) instead of becoming U+FFFD, so two different byte strings never read as the same PIN.
   */
  public static Reader strictUtf8(InputStream in) {
    return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  /**
   * Reads one line without its terminator ({@code \n} or {@code \r\n}), character by character into
   * a {@code char[]} that is wiped as it grows. Reads nothing past the newline, so the next call
   * reads the next line. The result belongs to the caller.
   *
   * @throws AgentException PIN_INVALID when the line is empty, input is at its end, or the line is
   *     longer than {@link #MAX_LENGTH}; INVALID_ARGUMENT when reading fails
   */
  public static char[] readLine(Reader reader) throws AgentException {
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
          throw new AgentException(
              CoreErrorCode.PIN_INVALID,
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
        throw new AgentException(
            CoreErrorCode.PIN_INVALID,
            sawNewline
                ? "The PIN read from standard input is empty: write the PIN followed by a newline."
                : "No PIN on standard input (--pin-stdin): write the PIN followed by a newline.");
      }
      return Arrays.copyOf(buf, len);
    } catch (CharacterCodingException e) {
      throw new AgentException(CoreErrorCode.PIN_INVALID,
          "The PIN on standard input is not valid UTF-8 text: write it as UTF-8 (the terminal's encoding, not"
              + " Latin-1 or UTF-16).", e);
    } catch (IOException e) {
      throw new AgentException(
          CoreErrorCode.INVALID_ARGUMENT, "Cannot read the PIN from standard input: " + e.getMessage(), e);
    } finally {
      Arrays.fill(buf, '\0');
    }
  }
}
