package dev.keytrust.credential;

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
 * A small strict JSON reader (RFC 8259) for FIDO key material. Objects become {@code Map<String,
 * Object>} (insertion order, duplicate names rejected), arrays {@code List<Object>}, strings {@code
 * String}, numbers {@link BigDecimal}, literals {@link Boolean} or {@link #NULL}.
 *
 * <p>Strict: UTF-8 only (malformed sequences rejected), no comments, no trailing commas, no
 * leading zeros, no single quotes, no control characters in strings, no unpaired surrogates in
 * escapes, nothing after the value but whitespace. Limits: {@link #MAX_BYTES} input bytes, {@link
 * #MAX_DEPTH} nesting levels, {@link #MAX_NUMBER_CHARS} characters per number.
 */
final class Json {
  /** The JSON {@code null} literal. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  static final int MAX_BYTES = 64 * 1024;
  static final int MAX_DEPTH = 16;
  static final int MAX_NUMBER_CHARS = 64;

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /** Parses one JSON value from UTF-8 bytes. */
  static Object parse(byte[] utf8) throws StructureException {
    if (utf8.length > MAX_BYTES) {
      throw new StructureException("JSON: " + utf8.length + " bytes exceed the limit of " + MAX_BYTES);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new StructureException("JSON: not valid UTF-8");
    }
    Json p = new Json(text);
    p.skipWhitespace();
    Object value = p.value(0);
    p.skipWhitespace();
    if (p.pos != text.length()) {
      throw p.error("unexpected content after the value");
    }
    return value;
  }

  private StructureException error(String what) {
    return new StructureException("JSON: " + what + " at character " + pos);
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

  private Object value(int depth) throws StructureException {
    if (pos >= text.length()) {
      throw error("unexpected end of input");
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
        throw error("unexpected character '" + printable(c) + "'");
    }
  }

  private void literal(String word) throws StructureException {
    if (!text.startsWith(word, pos)) {
      throw error("expected '" + word + "'");
    }
    pos += word.length();
  }

  private Map<String, Object> object(int depth) throws StructureException {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    pos++; // '{'
    Map<String, Object> out = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return Collections.unmodifiableMap(out);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a member name");
      }
      String name = string();
      skipWhitespace();
      if (peek() != ':') {
        throw error("expected ':'");
      }
      pos++;
      skipWhitespace();
      Object v = value(depth);
      if (out.putIfAbsent(name, v) != null) {
        throw error("duplicate member name \"" + name + "\"");
      }
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == '}') {
        return Collections.unmodifiableMap(out);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) throws StructureException {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    pos++; // '['
    List<Object> out = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return Collections.unmodifiableList(out);
    }
    while (true) {
      skipWhitespace();
      out.add(value(depth));
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == ']') {
        return Collections.unmodifiableList(out);
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  /** The next character, or 0 at the end (0 is never valid where peek is used). */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : 0;
  }

  private String string() throws StructureException {
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("control character in a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("unterminated escape");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          char u = hex4();
          if (Character.isHighSurrogate(u)) {
            if (!text.startsWith("\\u", pos)) {
              throw error("unpaired surrogate escape");
            }
            pos += 2;
            char low = hex4();
            if (!Character.isLowSurrogate(low)) {
              throw error("unpaired surrogate escape");
            }
            sb.append(u).append(low);
          } else if (Character.isLowSurrogate(u)) {
            throw error("unpaired surrogate escape");
          } else {
            sb.append(u);
          }
        }
        default -> {
          pos--;
          throw error("invalid escape '\\" + printable(e) + "'");
        }
      }
    }
  }

  private char hex4() throws StructureException {
    if (pos + 4 > text.length()) {
      throw error("truncated \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      char c = text.charAt(pos + i);
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        pos += i;
        throw error("invalid hex digit in \\u escape");
      }
      v = (v << 4) | d;
    }
    pos += 4;
    return (char) v;
  }

  private BigDecimal number() throws StructureException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (peek() >= '1' && peek() <= '9') {
      digits();
    } else {
      throw error("invalid number");
    }
    if (peek() == '.') {
      pos++;
      if (!(peek() >= '0' && peek() <= '9')) {
        throw error("digit expected after '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!(peek() >= '0' && peek() <= '9')) {
        throw error("digit expected in the exponent");
      }
      digits();
    }
    if (pos - start > MAX_NUMBER_CHARS) {
      pos = start;
      throw error("number longer than " + MAX_NUMBER_CHARS + " characters");
    }
    try {
      return new BigDecimal(text.substring(start, pos));
    } catch (NumberFormatException | ArithmeticException e) {
      pos = start;
      throw error("number out of range");
    }
  }

  private void digits() {
    while (peek() >= '0' && peek() <= '9') {
      pos++;
    }
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }
}
