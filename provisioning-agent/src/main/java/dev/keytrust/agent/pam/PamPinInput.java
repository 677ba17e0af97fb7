package dev.keytrust.agent.pam;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the PIN the way pam_exec's {@code expose_authtok} hands it over: the bytes of PAM_AUTHTOK
 * on standard input, ended by a NUL (older pam_exec), by the end of input (Linux-PAM 1.5 and
 * later write no NUL), or by a newline (typed by hand); strict UTF-8. Read once, into a {@link
 * Pin}; every buffer on the way is zeroed.
 */
public final class PamPinInput {
  /** Linux-PAM's PAM_MAX_RESP_SIZE: pam_exec sends no more. */
  static final int MAX_BYTES = 512;

  private PamPinInput() {}

  /**
   * The PIN on {@code in}.
   *
   * @throws AgentException PAM_PIN_INPUT when there is none, it is longer than {@value #MAX_BYTES}
   *     bytes or not UTF-8, or reading fails
   * @throws KeytrustException PIN_INVALID when it is no PIN keytrust accepts (control characters,
   *     too long)
   */
  public static Pin read(InputStream in) throws KeytrustException {
    byte[] buf = new byte[MAX_BYTES + 1];
    int n = 0;
    try {
      while (n < buf.length) {
        int b = in.read();
        if (b < 0 || b == 0) {
          break;
        }
        buf[n++] = (byte) b;
      }
      if (n > MAX_BYTES) {
        throw new AgentException(AgentErrorCode.PAM_PIN_INPUT, "More than " + MAX_BYTES
            + " bytes on standard input: that is no PIN.");
      }
      if (n > 0 && buf[n - 1] == '\n') {
        n--;
        if (n > 0 && buf[n - 1] == '\r') {
          n--;
        }
      }
      if (n == 0) {
        throw new AgentException(AgentErrorCode.PAM_PIN_INPUT, "No PIN on standard input:"
            + " pam_exec must be given expose_authtok.");
      }
      return decode(buf, n);
    } catch (IOException e) {
      throw new AgentException(AgentErrorCode.PAM_PIN_INPUT, "The PIN could not be read from"
          + " standard input: " + e.getMessage(), e);
    } finally {
      Arrays.fill(buf, (byte) 0);
    }
  }

  private static Pin decode(byte[] buf, int n) throws KeytrustException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    char[] chars = new char[n];
    CharBuffer out = CharBuffer.wrap(chars);
    try {
      var r = decoder.decode(ByteBuffer.wrap(buf, 0, n), out, true);
      if (r.isError()) {
        r.throwException();
      }
      decoder.flush(out);
      return Pin.moveFrom(Arrays.copyOf(chars, out.position())); // zeroes the copy
    } catch (CharacterCodingException e) {
      throw new AgentException(AgentErrorCode.PAM_PIN_INPUT, "The PIN on standard input is not"
          + " UTF-8.");
    } finally {
      Arrays.fill(chars, '\0');
    }
  }
}
