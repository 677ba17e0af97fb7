package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a TOTP configuration file: either one {@code otpauth://totp/...} URI as authenticator apps
 * take it (Key Uri Format: {@code secret} required, {@code algorithm}, {@code digits}, {@code
 * period} optional, other parameters ignored), or only the Base32 secret. The secret never becomes
 * a String; messages never hold it.
 */
final class TotpSecretFile {
  static final int MAX_BYTES = 4096;

  private TotpSecretFile() {}

  /**
   * Parses {@code content} (UTF-8); settings {@code algorithm}, {@code digits} and {@code period}
   * apply to a bare secret and must agree with an otpauth URI. The caller clears {@code content}.
   */
  static Totp parse(byte[] content, MfaSettings settings, Path file) throws AgentException {
    char[] text = decode(content, file);
    try {
      int from = 0;
      int to = text.length;
      while (from < to && Character.isWhitespace(text[from])) {
        from++;
      }
      while (to > from && Character.isWhitespace(text[to - 1])) {
        to--;
      }
      for (int i = from; i < to; i++) {
        if (text[i] == '\n' || text[i] == '\r') {
          throw bad(file, "it holds more than one line; put only the otpauth URI or the Base32 secret in it");
        }
      }
      Optional<TotpAlgorithm> algorithm = settings.get("algorithm").map(a -> algorithmOf(a, file));
      Optional<Integer> digits = settings.get("digits").map(d -> number(d, "digits", file));
      Optional<Integer> period = settings.get("period").map(p -> number(p, "period", file));
      byte[] secret = null;
      try {
        if (startsWith(text, from, to, "otpauth://")) {
          Uri uri = parseUri(text, from + "otpauth://".length(), to, file);
          secret = uri.secret;
          algorithm = agree("algorithm", algorithm, uri.algorithm, file);
          digits = agree("digits", digits, uri.digits, file);
          period = agree("period", period, uri.period, file);
        } else {
          secret = base32(text, from, to, file);
        }
        try {
          return new Totp(secret, algorithm.orElse(TotpAlgorithm.SHA1), digits.orElse(6),
              Duration.ofSeconds(period.orElse(30)));
        } catch (IllegalArgumentException e) {
          throw bad(file, e.getMessage());
        }
      } finally {
        if (secret != null) {
          Arrays.fill(secret, (byte) 0);
        }
      }
    } catch (UncheckedBad e) {
      throw e.error;
    } finally {
      Arrays.fill(text, '\0');
    }
  }

  private static final class Uri {
    byte[] secret;
    Optional<TotpAlgorithm> algorithm = Optional.empty();
    Optional<Integer> digits = Optional.empty();
    Optional<Integer> period = Optional.empty();
  }

  private static Uri parseUri(char[] t, int from, int to, Path file) throws AgentException {
    int slash = indexOf(t, from, to, '/');
    if (slash < 0) {
      throw bad(file, "the otpauth URI has no type (otpauth://totp/LABEL?secret=...)");
    }
    String type = new String(t, from, slash - from).toLowerCase(Locale.ROOT);
    if (!type.equals("totp")) {
      throw bad(file, "the otpauth URI is of type '" + type + "'; keytrust takes only otpauth://totp/ URIs");
    }
    int query = indexOf(t, slash, to, '?');
    if (query < 0) {
      throw bad(file, "the otpauth URI has no parameters; it needs at least secret=...");
    }
    Uri uri = new Uri();
    Set<String> seen = new HashSet<>();
    int i = query + 1;
    try {
      while (i <= to) {
        int amp = indexOf(t, i, to, '&');
        int end = amp < 0 ? to : amp;
        int eq = indexOf(t, i, end, '=');
        if (eq < 0) {
          throw bad(file, "an otpauth parameter without '='");
        }
        String name = new String(t, i, eq - i).toLowerCase(Locale.ROOT);
        if (!seen.add(name)) {
          throw bad(file, "the otpauth parameter '" + name + "' appears twice");
        }
        switch (name) {
          case "secret" -> uri.secret = base32(percentDecoded(t, eq + 1, end, file), file);
          case "algorithm" -> uri.algorithm = Optional.of(algorithmOf(value(t, eq + 1, end), file));
          case "digits" -> uri.digits = Optional.of(number(value(t, eq + 1, end), "digits", file));
          case "period" -> uri.period = Optional.of(number(value(t, eq + 1, end), "period", file));
          default -> { } // issuer, image and other labels do not change the codes
        }
        i = end + 1;
      }
      if (uri.secret == null) {
        throw bad(file, "the otpauth URI has no secret parameter");
      }
      return uri;
    } catch (AgentException | RuntimeException e) {
      if (uri.secret != null) {
        Arrays.fill(uri.secret, (byte) 0);
      }
      throw e;
    }
  }

  private static <T> Optional<T> agree(String name, Optional<T> setting, Optional<T> inUri, Path file) {
    if (setting.isPresent() && inUri.isPresent() && !setting.equals(inUri)) {
      throw new UncheckedBad(bad(file, "the setting " + name + "=" + setting.get() + " contradicts " + name + "="
          + inUri.get() + " in the otpauth URI; set it in one place"));
    }
    return inUri.isPresent() ? inUri : setting;
  }

  private static byte[] base32(char[] text, int from, int to, Path file) throws AgentException {
    try {
      return Base32.decode(text, from, to);
    } catch (IllegalArgumentException e) {
      throw bad(file, "the secret is not Base32: " + e.getMessage());
    }
  }

  private static byte[] base32(char[] decoded, Path file) throws AgentException {
    try {
      return base32(decoded, 0, decoded.length, file);
    } finally {
      Arrays.fill(decoded, '\0');
    }
  }

  /** Percent-decodes a secret value into a fresh char[] (Base32 is ASCII, so bytes are chars). */
  private static char[] percentDecoded(char[] t, int from, int to, Path file) throws AgentException {
    char[] out = new char[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      if (t[i] == '%') {
        if (i + 2 >= to || Character.digit(t[i + 1], 16) < 0 || Character.digit(t[i + 2], 16) < 0) {
          Arrays.fill(out, '\0');
          throw bad(file, "a broken %-escape in the secret parameter");
        }
        out[n++] = (char) (Character.digit(t[i + 1], 16) * 16 + Character.digit(t[i + 2], 16));
        i += 2;
      } else {
        out[n++] = t[i];
      }
    }
    char[] exact = Arrays.copyOf(out, n);
    Arrays.fill(out, '\0');
    return exact;
  }

  private static String value(char[] t, int from, int to) {
    return URLDecoder.decode(new String(t, from, to - from), StandardCharsets.UTF_8);
  }

  private static TotpAlgorithm algorithmOf(String name, Path file) {
    return TotpAlgorithm.fromName(name).orElseThrow(() -> new UncheckedBad(
        bad(file, "unknown algorithm '" + name + "'; use SHA1, SHA256 or SHA512")));
  }

  private static int number(String s, String name, Path file) {
    if (!s.matches("[0-9]{1,4}")) {
      throw new UncheckedBad(bad(file, name + " '" + s + "' is not a whole number"));
    }
    return Integer.parseInt(s);
  }

  private static boolean startsWith(char[] t, int from, int to, String prefix) {
    if (to - from < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (Character.toLowerCase(t[from + i]) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(char[] t, int from, int to, char c) {
    for (int i = from; i < to; i++) {
      if (t[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static char[] decode(byte[] content, Path file) throws AgentException {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer cb = CharBuffer.allocate(content.length);
    try {
      var result = dec.decode(ByteBuffer.wrap(content), cb, true);
      if (result.isError()) {
        result.throwException();
      }
      return Arrays.copyOf(cb.array(), cb.position());
    } catch (CharacterCodingException e) {
      throw bad(file, "it is not UTF-8 text");
    } finally {
      Arrays.fill(cb.array(), '\0');
    }
  }

  static AgentException bad(Path file, String why) {
    return new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The TOTP secret file " + file + " cannot be used: "
        + why + ". Write the otpauth://totp/ URI your authenticator was set up with, or its Base32 secret.");
  }

  /** Carries a configuration error out of a lambda. */
  private static final class UncheckedBad extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient AgentException error;

    UncheckedBad(AgentException error) {
      super(error.getMessage(), null, false, false);
      this.error = error;
    }
  }
}
