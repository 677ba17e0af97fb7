package dev.keytrust.agent.audit;

/**
 * One flat JSON object written on one line (RFC 8259): string, number and null members, strings
 * escaped so that no control character, line separator or quote breaks the line.
 */
final class JsonLine {
  private final StringBuilder out = new StringBuilder("{");

  JsonLine put(String name, Object value) {
    if (out.length() > 1) {
      out.append(',');
    }
    quote(name);
    out.append(':');
    if (value == null) {
      out.append("null");
    } else if (value instanceof Number n) {
      out.append(n);
    } else {
      quote(value.toString());
    }
    return this;
  }

  private void quote(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out + "}";
  }
}
