package dev.keytrust.agent.endpoint.drs;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader (RFC 8259) for server responses, bounded in size and nesting depth.
 *
 * <p>Values come back as {@code Map<String, Object>} (insertion order, unmodifiable), {@code
 * List<Object>} (unmodifiable), {@link String}, {@link BigDecimal}, {@link Boolean} or {@link
 * #NULL}. Refused, with the offset: invalid UTF-8 (a byte-order mark too), anything outside the
 * grammar (comments, single quotes, trailing commas, {@code NaN}, leading zeros, a leading {@code
 * +}), control characters in strings, unpaired surrogates, duplicate member names, content after
 * the value, more than {@code maxBytes} bytes and nesting deeper than {@code maxDepth}.
 *
 * <p>Error messages name the offset and what was expected; they never quote the input, which is
 * untrusted and could hold anything.
 */
final class StrictJson {
  /** The JSON {@code null} (Java {@code null} would not tell a null member from a missing one). */
  static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  private final String text;
  private final int maxDepth;
  private int pos;

  private StrictJson(String text, int maxDepth) {
    this.text = text;
    this.maxDepth = maxDepth;
  }

  /**
   * Parses one JSON value that fills {@code utf8} entirely.
   *
   * @throws MalformedJsonException when the input breaks a rule above
   */
  static Object parse(byte[] utf8, int maxBytes, int maxDepth) throws MalformedJsonException {
    if (utf8.length > maxBytes) {
      throw new MalformedJsonException(
          "the document has " + utf8.length + " bytes, more than the limit of " + maxBytes);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(utf8))
              .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedJsonException("the document is not valid UTF-8");
    }
    StrictJson parser = new StrictJson(text, maxDepth);
    parser.skipWhitespace();
    Object value = parser.value(0);
    parser.skipWhitespace();
    if (parser.pos != text.length()) {
      throw parser.error("unexpected content after the JSON value");
    }
    return value;
  }

  private Object value(int depth) throws MalformedJsonException {
    if (pos >= text.length()) {
      throw error("a value was expected but the document ended");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("a value was expected");
    }
  }

  private Map<String, Object> object(int depth) throws MalformedJsonException {
    checkDepth(depth);
    pos++; // '{'
    Map<String, Object> members = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return Collections.unmodifiableMap(members);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("a member name (a string) was expected");
      }
      int namePos = pos;
      String name = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object value = value(depth);
      if (members.putIfAbsent(name, value) != null) {
        pos = namePos;
        throw error("a member name appears twice in one object");
      }
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == '}') {
        return Collections.unmodifiableMap(members);
      }
      if (c != ',') {
        pos--;
        throw error("',' or '}' was expected");
      }
    }
  }

  private List<Object> array(int depth) throws MalformedJsonException {
    checkDepth(depth);
    pos++; // '['
    List<Object> items = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return Collections.unmodifiableList(items);
    }
    while (true) {
      skipWhitespace();
      items.add(value(depth));
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == ']') {
        return Collections.unmodifiableList(items);
      }
      if (c != ',') {
        pos--;
        throw error("',' or ']' was expected");
      }
    }
  }

  private String string() throws MalformedJsonException {
    pos++; // opening quote
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("a string is not closed");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return out.toString();
      }
      if (c < 0x20) {
        throw error("a control character must be escaped in a string");
      }
      if (c == '\\') {
        pos++;
        char e = peek();
        switch (e) {
          case '"' -> out.append('"');
          case '\\' -> out.append('\\');
          case '/' -> out.append('/');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            char unit = hex4();
            if (Character.isHighSurrogate(unit)) {
              if (!text.startsWith("\\u", pos + 1)) {
                throw error("an escaped high surrogate is not followed by a low surrogate");
              }
              pos += 2;
              char low = hex4();
              if (!Character.isLowSurrogate(low)) {
                throw error("an escaped high surrogate is not followed by a low surrogate");
              }
              out.append(unit).append(low);
            } else if (Character.isLowSurrogate(unit)) {
              throw error("an escaped low surrogate has no high surrogate before it");
            } else {
              out.append(unit);
            }
          }
          default -> throw error("an invalid escape sequence");
        }
        pos++;
        continue;
      }
      out.append(c); // the UTF-8 decoder already refused unpaired surrogates in raw text
      pos++;
    }
  }

  /** Reads the four hex digits after {@code \\u}; leaves {@code pos} on the last digit. */
  private char hex4() throws MalformedJsonException {
    if (pos + 4 >= text.length()) {
      throw error("a \\u escape needs four hex digits");
    }
    int v = 0;
    for (int i = 1; i <= 4; i++) {
      int d = Character.digit(text.charAt(pos + i), 16);
      if (d < 0) {
        throw error("a \\u escape needs four hex digits");
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private BigDecimal number() throws MalformedJsonException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
      if (isDigit(peek())) {
        throw error("a number must not have a leading zero");
      }
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("a digit was expected");
    }
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw error("a digit was expected after the decimal point");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("a digit was expected in the exponent");
      }
      digits();
    }
    try {
      return new BigDecimal(text.substring(start, pos));
    } catch (NumberFormatException | ArithmeticException e) {
      pos = start;
      throw error("a number is out of range");
    }
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void literal(String word) throws MalformedJsonException {
    if (!text.startsWith(word, pos)) {
      throw error("a value was expected");
    }
    pos += word.length();
  }

  private void expect(char c) throws MalformedJsonException {
    if (peek() != c) {
      throw error("'" + c + "' was expected");
    }
    pos++;
  }

  /** The current character, or NUL at the end (NUL is never valid outside a string). */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private void checkDepth(int depth) throws MalformedJsonException {
    if (depth > maxDepth) {
      throw error("objects and arrays are nested deeper than " + maxDepth + " levels");
    }
  }

  private MalformedJsonException error(String what) {
    return new MalformedJsonException(what + " (at character " + pos + ")");
  }

  /** The input is not JSON this reader accepts. The message never quotes the input. */
  static final class MalformedJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedJsonException(String message) {
      super(message);
    }
  }
}
