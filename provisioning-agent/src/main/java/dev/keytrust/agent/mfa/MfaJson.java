package dev.keytrust.agent.mfa;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader (RFC 8259) for the push protocol's tiny bodies, and string quoting for
 * the one body keytrust sends. Objects become {@link Map}s (duplicate names refused), arrays {@link
 * List}s, strings {@link String}s, numbers their literal text, {@code true}/{@code false} {@link
 * Boolean}s and {@code null} {@link #NULL}. Anything else, trailing bytes, bad UTF-8 or nesting
 * deeper than {@value #MAX_DEPTH} is refused with the offset. Error messages never quote the input.
 */
final class MfaJson {
  static final int MAX_DEPTH = 16;
  /** The JSON {@code null}. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private final String s;
  private int pos;

  private MfaJson(String s) {
    this.s = s;
  }

  /** Parses a body that must be one JSON object. */
  static Map<String, Object> parseObject(byte[] utf8) throws Malformed {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Malformed("not UTF-8", 0);
    }
    MfaJson p = new MfaJson(text);
    p.whitespace();
    if (p.pos >= text.length() || text.charAt(p.pos) != '{') {
      throw new Malformed("not a JSON object", p.pos);
    }
    Object value = p.value(0);
    p.whitespace();
    if (p.pos != text.length()) {
      throw new Malformed("bytes after the JSON object", p.pos);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value;
    return map;
  }

  /** {@code value} as a JSON string literal. */
  static String quote(String value) {
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

  private Object value(int depth) throws Malformed {
    if (depth > MAX_DEPTH) {
      throw new Malformed("nested deeper than " + MAX_DEPTH, pos);
    }
    whitespace();
    if (pos >= s.length()) {
      throw new Malformed("ends where a value should be", pos);
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
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
        throw new Malformed("unexpected character", pos);
    }
  }

  private Map<String, Object> object(int depth) throws Malformed {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++; // {
    whitespace();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      whitespace();
      if (peek() != '"') {
        throw new Malformed("a member name must be a string", pos);
      }
      int at = pos;
      String name = string();
      whitespace();
      expect(':');
      Object v = value(depth + 1);
      if (map.put(name, v) != null) {
        throw new Malformed("a member name appears twice", at);
      }
      whitespace();
      char c = peek();
      pos++;
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        throw new Malformed("expected ',' or '}'", pos - 1);
      }
    }
  }

  private List<Object> array(int depth) throws Malformed {
    List<Object> list = new ArrayList<>();
    pos++; // [
    whitespace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      list.add(value(depth + 1));
      whitespace();
      char c = peek();
      pos++;
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        throw new Malformed("expected ',' or ']'", pos - 1);
      }
    }
  }

  private String string() throws Malformed {
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw new Malformed("a string is not closed", pos);
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        throw new Malformed("a control character inside a string", pos - 1);
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw new Malformed("a string ends in an escape", pos);
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw new Malformed("a short \\u escape", pos);
          }
          int v = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0) {
              throw new Malformed("a bad \\u escape", pos);
            }
            v = v * 16 + d;
          }
          pos += 4;
          sb.append((char) v);
        }
        default -> throw new Malformed("an unknown escape", pos - 1);
      }
    }
  }

  private String number() throws Malformed {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (peek() >= '1' && peek() <= '9') {
      digits();
    } else {
      throw new Malformed("a number without digits", pos);
    }
    if (peek() == '.') {
      pos++;
      if (!(peek() >= '0' && peek() <= '9')) {
        throw new Malformed("no digits after the decimal point", pos);
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!(peek() >= '0' && peek() <= '9')) {
        throw new Malformed("no digits in the exponent", pos);
      }
      digits();
    }
    return s.substring(start, pos);
  }

  private void digits() {
    while (peek() >= '0' && peek() <= '9') {
      pos++;
    }
  }

  private void literal(String word) throws Malformed {
    if (!s.startsWith(word, pos)) {
      throw new Malformed("unexpected word", pos);
    }
    pos += word.length();
  }

  private void expect(char c) throws Malformed {
    if (peek() != c) {
      throw new Malformed("expected '" + c + "'", pos);
    }
    pos++;
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void whitespace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  /** Not the JSON expected. The message names the problem and the character offset only. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String problem, int offset) {
      super(problem + " at offset " + offset);
    }
  }
}
