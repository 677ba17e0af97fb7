package dev.keytrust.agent.endpoint.drs;

import java.util.regex.Pattern;

/**
 * An OAuth bearer access token (RFC 6750). A secret: {@link #toString()} shows its length only, and
 * no message, log line or exception ever holds {@link #value()}. The value is a {@code String}
 * because the JDK HTTP client takes header values as strings; it lives for one registration call.
 */
final class BearerToken {
  /** RFC 6750 §2.1 {@code b64token}: what may follow {@code Bearer } in the header. */
  private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
  /** Far above any real access token (Entra tokens are a few KB), far below header limits. */
  static final int MAX_LENGTH = 32 * 1024;

  private final String value;

  private BearerToken(String value) {
    this.value = value;
  }

  /**
   * The token in {@code raw} after trimming surrounding whitespace (a trailing newline in a file
   * or command output is normal).
   *
   * @throws IllegalArgumentException with a message that describes the problem without quoting
   *     the value
   */
  static BearerToken of(String raw) {
    String v = raw.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("it is empty");
    }
    if (v.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "it has " + v.length() + " characters, more than the " + MAX_LENGTH + " an access token may have");
    }
    if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new IllegalArgumentException("it starts with 'Bearer ': give the token alone");
    }
    if (!B64TOKEN.matcher(v).matches()) {
      throw new IllegalArgumentException(
          "it has characters an access token cannot have (only letters, digits and -._~+/ then '='"
              + " are allowed; is it more than one line?)");
    }
    return new BearerToken(v);
  }

  /** The token, for the Authorization header only. */
  String value() {
    return value;
  }

  /** {@code Bearer <token>}. */
  String authorizationHeader() {
    return "Bearer " + value;
  }

  /** Replaces every occurrence of the token in {@code text} (e.g. a server message) by a marker. */
  String redact(String text) {
    return text == null ? null : text.replace(value, "<token>");
  }

  @Override
  public String toString() {
    return "BearerToken[" + value.length() + " chars]";
  }
}
