package dev.keytrust.lab.http;

import dev.keytrust.internal.StrictUtf8;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lab services' own small JSON reader and writer, for their request and answer bodies and
 * their tokens (the agent's reader is package-private there, and a second, independent
 * implementation checks the first). Reads RFC 8259 JSON into {@code Map}/{@code List}/{@code
 * String}/{@code BigDecimal}/{@code Boolean}/{@link #NULL}; refuses invalid UTF-8, duplicate
 * names, trailing content and nesting deeper than 32.
 */
public final class LabJson {
  /** JSON {@code null} as {@link #parse} returns it. */
  public static final Object NULL = new Object();
  private static final int MAX_DEPTH = 32;

  private final String s;
  private int i;

  private LabJson(String s) {
    this.s = s;
  }

  /** The input is not acceptable JSON. */
  public static final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
      super(message);
    }
  }

  public static Object parse(byte[] utf8) throws JsonException {
    String text;
    try {
      text = StrictUtf8.decode(utf8);
    } catch (CharacterCodingException e) {
      throw new JsonException("not UTF-8");
    }
    LabJson p = new LabJson(text);
    p.ws();
    Object v = p.value(0);
    p.ws();
    if (p.i != text.length()) {
      throw new JsonException("content after the value at " + p.i);
    }
    return v;
  }

  private Object value(int depth) throws JsonException {
    if (depth > MAX_DEPTH) {
      throw new JsonException("nested too deeply");
    }
    char c = peek();
    if (c == '{') {
      i++;
      Map<String, Object> m = new LinkedHashMap<>();
      ws();
      if (peek() == '}') {
        i++;
        return m;
      }
      do {
        ws();
        if (peek() != '"') {
          throw new JsonException("name expected at " + i);
        }
        String name = string();
        ws();
        expect(':');
        ws();
        if (m.put(name, value(depth + 1)) != null) {
          throw new JsonException("duplicate name");
        }
        ws();
      } while (next(',', '}'));
      return m;
    }
    if (c == '[') {
      i++;
      List<Object> l = new ArrayList<>();
      ws();
      if (peek() == ']') {
        i++;
        return l;
      }
      do {
        ws();
        l.add(value(depth + 1));
        ws();
      } while (next(',', ']'));
      return l;
    }
    if (c == '"') {
      return string();
    }
    for (String word : new String[] {"true", "false", "null"}) {
      if (s.startsWith(word, i)) {
        i += word.length();
        return word.equals("null") ? NULL : Boolean.valueOf(word);
      }
    }
    int start = i;
    if (peek() == '-') {
      i++;
    }
    if (peek() == '0') {
      i++;
    } else if (peek() >= '1' && peek() <= '9') {
      digits();
    } else {
      throw new JsonException("value expected at " + start);
    }
    if (peek() == '.') {
      i++;
      requireDigit();
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      i++;
      if (peek() == '+' || peek() == '-') {
        i++;
      }
      requireDigit();
      digits();
    }
    try {
      return new BigDecimal(s.substring(start, i));
    } catch (NumberFormatException e) {
      throw new JsonException("number out of range at " + start);
    }
  }

  /** True on {@code more}, false on {@code end}, else an error. */
  private boolean next(char more, char end) throws JsonException {
    char c = peek();
    i++;
    if (c == more) {
      return true;
    }
    if (c == end) {
      return false;
    }
    throw new JsonException("'" + more + "' or '" + end + "' expected at " + (i - 1));
  }

  private String string() throws JsonException {
    i++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (i >= s.length()) {
        throw new JsonException("unterminated string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        throw new JsonException("control character in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = peek();
      i++;
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) {
            throw new JsonException("bad \\u escape");
          }
          try {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException x) {
            throw new JsonException("bad \\u escape");
          }
          i += 4;
        }
        default -> throw new JsonException("bad escape");
      }
    }
  }

  private void digits() {
    while (peek() >= '0' && peek() <= '9') {
      i++;
    }
  }

  private void requireDigit() throws JsonException {
    if (peek() < '0' || peek() > '9') {
      throw new JsonException("digit expected at " + i);
    }
  }

  private void expect(char c) throws JsonException {
    if (peek() != c) {
      throw new JsonException("'" + c + "' expected at " + i);
    }
    i++;
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private void ws() {
    while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
  }

  // ---- writing ----

  /** Writes a {@code Map}/{@code List}/{@code String}/{@code Number}/{@code Boolean}/null. */
  public static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(value, b);
    return b.toString();
  }

  private static void write(Object v, StringBuilder b) {
    if (v == null || v == NULL) {
      b.append("null");
    } else if (v instanceof String str) {
      quote(str, b);
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        quote(String.valueOf(e.getKey()), b);
        b.append(':');
        write(e.getValue(), b);
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int k = 0; k < l.size(); k++) {
        if (k > 0) {
          b.append(',');
        }
        write(l.get(k), b);
      }
      b.append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }
  }

  private static void quote(String str, StringBuilder b) {
    b.append('"');
    for (int k = 0; k < str.length(); k++) {
      char c = str.charAt(k);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
