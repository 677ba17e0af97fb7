package dev.keytrust.internal.json;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * keytrust's one strict JSON reader (RFC 8259), for untrusted input bounded in size and nesting
 * depth; internal, not API (see the package). Also quotes strings for the little JSON keytrust
 * writes by hand.
 *
 * <p>Values come back as {@code Map<String, Object>} (insertion order, unmodifiable), {@code
 * List<Object>} (unmodifiable), {@link String}, {@link BigDecimal}, {@link Boolean} or {@link
 * #NULL}. Refused with a {@link JsonException} that carries the byte offset: more than {@code
 * maxBytes} bytes (checked before anything is read), invalid UTF-8 (a byte-order mark too),
 * anything outside the grammar (comments, single quotes, trailing commas, {@code NaN}, leading
 * zeros, a leading {@code +}), control characters in strings, unpaired surrogate escapes, duplicate
 * member names, numbers longer than {@value #MAX_NUMBER_CHARS} characters or out of {@link
 * BigDecimal}'s range, nesting deeper than {@code maxDepth} objects and arrays, and content after
 * the value.
 *
 * <p>Error messages say what was expected and where; they never quote the input, which is untrusted
 * and could hold anything (a token, a key).
 */
public final class StrictJson {
  /** The JSON {@code null} (Java {@code null} would not tell a null member from a missing one). */
  public static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** Numbers longer than this (sign, digits, point and exponent) are refused. */
  public static final int MAX_NUMBER_CHARS = 64;

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
   * @param maxBytes the most bytes {@code utf8} may have
   * @param maxDepth the most objects and arrays that may be nested in one another (1: no nesting)
   * @throws JsonException when the input breaks a rule above
   */
  public static Object parse(byte[] utf8, int maxBytes, int maxDepth) throws JsonException {
    StrictJson parser = new StrictJson(decode(utf8, maxBytes), maxDepth);
    parser.skipWhitespace();
    return parser.document();
  }

  /**
   * Parses one JSON object that fills {@code utf8} entirely; like {@link #parse}, and any other
   * value is refused before it is read.
   */
  public static Map<String, Object> parseObject(byte[] utf8, int maxBytes, int maxDepth)
      throws JsonException {
    StrictJson parser = new StrictJson(decode(utf8, maxBytes), maxDepth);
    parser.skipWhitespace();
    if (parser.peek() != '{') {
      throw parser.error("a JSON object was expected");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) parser.document();
    return object;
  }

  /**
   * {@code value} as a JSON string literal: {@code "}, {@code \} and control characters escaped,
   * U+2028 and U+2029 too (they end lines in JavaScript), everything else as it is.
   */
  public static String quote(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private static String decode(byte[] utf8, int maxBytes) throws JsonException {
    if (utf8.length > maxBytes) {
      throw new JsonException("the document is larger than " + maxBytes + " bytes, the limit", maxBytes);
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(utf8);
    CharBuffer out = CharBuffer.allocate(utf8.length); // UTF-8 never has more chars than bytes
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new JsonException("the document is not valid UTF-8", in.position());
    }
    return out.flip().toString();
  }

  private Object document() throws JsonException {
    Object value = value(0);
    skipWhitespace();
    if (pos != text.length()) {
      throw error("unexpected content after the value");
    }
    return value;
  }

  private Object value(int depth) throws JsonException {
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
        if (c == '-' || isDigit(c)) {
          return number();
        }
        throw error("a value was expected");
    }
  }

  private Map<String, Object> object(int depth) throws JsonException {
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
        throw error("a duplicate member name (the same name twice in one object)");
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

  private List<Object> array(int depth) throws JsonException {
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

  private String string() throws JsonException {
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
  private char hex4() throws JsonException {
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

  private BigDecimal number() throws JsonException {
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
    if (pos - start > MAX_NUMBER_CHARS) {
      pos = start;
      throw error("a number is longer than " + MAX_NUMBER_CHARS + " characters");
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

  private void literal(String word) throws JsonException {
    if (!text.startsWith(word, pos)) {
      throw error("a value was expected");
    }
    pos += word.length();
  }

  private void expect(char c) throws JsonException {
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

  private void checkDepth(int depth) throws JsonException {
    if (depth > maxDepth) {
      throw error("objects and arrays are nested deeper than " + maxDepth + " levels");
    }
  }

  /** The problem at {@code pos}, located by its byte offset in the UTF-8 input. */
  private JsonException error(String what) {
    int at = Math.min(pos, text.length());
    return new JsonException(what, utf8Length(text, at));
  }

  /** The UTF-8 length of {@code text}'s first {@code chars} characters (no lone surrogates). */
  private static int utf8Length(String text, int chars) {
    int bytes = 0;
    for (int i = 0; i < chars; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
