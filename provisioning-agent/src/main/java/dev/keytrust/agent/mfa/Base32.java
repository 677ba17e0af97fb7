package dev.keytrust.agent.mfa;

import java.util.Arrays;

/** RFC 4648 Base32 decoding of secrets, from {@code char[]}, never through a String. */
final class Base32 {

  private Base32() {}

  /**
   * Decodes {@code text[from, to)}: letters A-Z (either case) and digits 2-7; spaces and dashes
   * (group separators as authenticator apps show them) are skipped; {@code =} padding may end it.
   * Bits left over after the last whole byte are dropped.
   *
   * @throws IllegalArgumentException for any other character, or a length no encoder produces; the
   *     message never holds the text
   */
  static byte[] decode(char[] text, int from, int to) {
    byte[] out = new byte[(to - from) * 5 / 8 + 1];
    int n = 0;
    int buffer = 0;
    int bits = 0;
    int symbols = 0;
    boolean padding = false;
    try {
      for (int i = from; i < to; i++) {
        char c = text[i];
        if (c == ' ' || c == '-') {
          continue;
        }
        if (c == '=') {
          padding = true;
          continue;
        }
        int v;
        if (c >= 'A' && c <= 'Z') {
          v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
          v = c - 'a';
        } else if (c >= '2' && c <= '7') {
          v = c - '2' + 26;
        } else {
          throw new IllegalArgumentException("a character that is not Base32 (A-Z, 2-7) at position " + (i - from + 1));
        }
        if (padding) {
          throw new IllegalArgumentException("Base32 characters after the '=' padding");
        }
        symbols++;
        buffer = (buffer << 5) | v;
        bits += 5;
        if (bits >= 8) {
          bits -= 8;
          out[n++] = (byte) (buffer >>> bits);
          buffer &= (1 << bits) - 1;
        }
      }
      int tail = symbols % 8;
      if (tail == 1 || tail == 3 || tail == 6) {
        throw new IllegalArgumentException("a Base32 length no encoder produces (" + symbols + " symbols)");
      }
      return Arrays.copyOf(out, n);
    } finally {
      Arrays.fill(out, (byte) 0);
      buffer = 0;
    }
  }
}
