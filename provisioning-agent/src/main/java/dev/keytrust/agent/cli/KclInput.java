package dev.keytrust.agent.cli;

import dev.keytrust.credential.DnBinary;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.StrictUtf8;
import dev.keytrust.store.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The VALUE of {@code keytrust kcl decode}: where it comes from and how it is encoded.
 *
 * <p>Source: the argument itself, {@code @FILE} (the file's content) or {@code -} (standard input),
 * at most {@link #MAX_BYTES} bytes of UTF-8.
 *
 * <p>Form, decided in this order, no guessing beyond it:
 *
 * <ol>
 *   <li>starts with {@code B:} (after leading whitespace): a DN-binary value {@code
 *       B:<count>:<hex>:<owner DN>}; only leading and trailing whitespace is removed, because the
 *       DN may contain spaces;
 *   <li>otherwise, with all whitespace removed: only the digits 0-9, a-f, A-F, an even number of
 *       them: hex;
 *   <li>otherwise: base64, standard ({@code +/}) or URL-safe ({@code -_}), padding optional.
 * </ol>
 *
 * A base64 value made only of hex digits (rare: it has no {@code +/-_} and no letter above F) reads
 * as hex; {@code --input-format base64} forces base64.
 */
final class KclInput {

  /** Input larger than this (1 MiB) is refused: a real value is a few kilobytes. */
  static final int MAX_BYTES = 1024 * 1024;

  /** How the value was written. */
  enum Form {
    /** Detect as described in {@link KclInput}. */
    AUTO("auto"),
    DN_BINARY("DN-binary"),
    HEX("hex"),
    BASE64("base64");

    private final String label;

    Form(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /**
   * A decoded value.
   *
   * @param blob the KEYCREDENTIALLINK_BLOB bytes
   * @param ownerDn the owner DN of a DN-binary value, null for hex and base64
   * @param form the form the value was read as (never AUTO)
   * @param detail how the form was chosen, for the table ("detected", "URL-safe alphabet", ...)
   * @param source where the value came from ("argument", "file x", "standard input")
   */
  record Decoded(byte[] blob, String ownerDn, Form form, String detail, String source) {
    Decoded {
      Objects.requireNonNull(blob, "blob");
    }

    /** For the table: e.g. {@code hex (detected), from the argument}. */
    String describe() {
      return form.label() + " (" + detail + "), from " + source;
    }
  }

  private KclInput() {}

  /** Reads VALUE (argument, {@code @FILE} or {@code -}) and decodes it as {@code form}. */
  static Decoded read(String value, Form form, InputStream stdin) throws KeytrustException {
    Objects.requireNonNull(value, "value");
    String text;
    String source;
    if (value.equals("-")) {
      text = utf8(readBounded(stdin, "standard input"), "standard input");
      source = "standard input";
    } else if (value.startsWith("@")) {
      Path file = Path.of(value.substring(1));
      text = utf8(readFile(file), "file " + file);
      source = "file " + file;
    } else {
      if (value.length() > MAX_BYTES) {
        throw tooLarge("the argument");
      }
      text = value;
      source = "the argument";
    }
    return decode(text, form, source);
  }

  /** Decodes {@code text} as {@code form} (AUTO: the rules of {@link KclInput}). */
  static Decoded decode(String text, Form form, String source) throws KeytrustException {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      throw invalid("The value from " + source + " is empty: give a DN-binary (B:<count>:<hex>:<DN>), hex "
          + "or base64 msDS-KeyCredentialLink value.");
    }
    Form chosen = form;
    String detail = "as requested";
    String compact = removeWhitespace(trimmed);
    if (form == Form.AUTO) {
      detail = "detected";
      if (trimmed.startsWith("B:")) {
        chosen = Form.DN_BINARY;
      } else if (compact.length() % 2 == 0 && isHex(compact)) {
        chosen = Form.HEX;
      } else {
        chosen = Form.BASE64;
      }
    }
    switch (chosen) {
      case DN_BINARY: {
        DnBinary dnb = DnBinary.parse(trimmed);
        return new Decoded(dnb.binary(), dnb.dn(), Form.DN_BINARY, detail, source);
      }
      case HEX:
        return new Decoded(hex(compact), null, Form.HEX, detail, source);
      case BASE64:
      default:
        return base64(compact, form == Form.AUTO, detail, source);
    }
  }

  private static byte[] hex(String compact) throws KeytrustException {
    if (compact.length() % 2 != 0) {
      throw invalid("The hex value has an odd number of digits (" + compact.length()
          + "): every byte needs two. Check that the whole value was copied.");
    }
    for (int i = 0; i < compact.length(); i++) {
      if (!isHexDigit(compact.charAt(i))) {
        throw invalid("The hex value has '" + printable(compact.charAt(i)) + "' at digit " + i
            + ": use only 0-9, a-f, A-F.");
      }
    }
    return HexFormat.of().parseHex(compact);
  }

  private static Decoded base64(String compact, boolean detected, String detail, String source)
      throws KeytrustException {
    boolean standard = compact.indexOf('+') >= 0 || compact.indexOf('/') >= 0;
    boolean urlSafe = compact.indexOf('-') >= 0 || compact.indexOf('_') >= 0;
    String neither = detected
        ? "The value is neither DN-binary (B:<count>:<hex>:<DN>), nor hex (an even number of 0-9, a-f), "
            + "nor base64: "
        : "The value is not base64: ";
    if (standard && urlSafe) {
      throw invalid(neither + "it mixes the standard (+/) and URL-safe (-_) base64 alphabets.");
    }
    for (int i = 0; i < compact.length(); i++) {
      char c = compact.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/' || c == '-' || c == '_' || c == '=';
      if (!ok) {
        throw invalid(neither + "'" + printable(c) + "' at character " + i + " is not a base64 character.");
      }
    }
    try {
      byte[] blob = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(compact);
      if (blob.length == 0) {
        throw invalid(neither + "it decodes to no bytes.");
      }
      String alphabet = urlSafe ? "URL-safe" : "standard";
      return new Decoded(blob, null, Form.BASE64, detail + ", " + alphabet + " alphabet", source);
    } catch (IllegalArgumentException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          neither + e.getMessage() + ". Check that the whole value was copied.", e);
    }
  }

  private static byte[] readFile(Path file) throws KeytrustException {
    try {
      if (Files.isDirectory(file)) {
        throw invalid("Cannot read " + file + ": it is a directory. Give @FILE with a file holding the value.");
      }
      return InputFiles.read(file, MAX_BYTES);
    } catch (InputFiles.NotReadable e) {
      if (e.problem() == InputFiles.Problem.TOO_LARGE) {
        throw tooLarge("file " + file);
      }
      if (e.problem() == InputFiles.Problem.NOT_A_FILE) {
        throw invalid("Cannot read " + e.getMessage() + ". Give @FILE with a file holding the value, or - for"
            + " standard input.");
      }
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "Cannot read " + file + ": no such file. Give @FILE with an existing file, - for standard input, "
              + "or the value itself.", e);
    } catch (NoSuchFileException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "Cannot read " + file + ": no such file. Give @FILE with an existing file, - for standard input, "
              + "or the value itself.", e);
    } catch (IOException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "Cannot read " + file + ": " + e.getMessage() + ". Check the path and its permissions.", e);
    }
  }

  private static byte[] readBounded(InputStream in, String what) throws KeytrustException {
    try {
      byte[] data = in.readNBytes(MAX_BYTES + 1);
      if (data.length > MAX_BYTES) {
        throw tooLarge(what);
      }
      return data;
    } catch (IOException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "Cannot read " + what + ": " + e.getMessage() + ".", e);
    }
  }

  private static String utf8(byte[] data, String what) throws KeytrustException {
    try {
      return StrictUtf8.decode(data);
    } catch (CharacterCodingException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The " + what + " is not UTF-8 text: it must hold the value as DN-binary, hex or base64 text, "
              + "not the raw binary blob (convert it with xxd -p or base64).", e);
    }
  }

  private static KeytrustException tooLarge(String what) {
    return invalid("The value from " + what + " is larger than " + MAX_BYTES + " bytes (1 MiB); an "
        + "msDS-KeyCredentialLink value is a few kilobytes. Give one value only.");
  }

  private static KeytrustException invalid(String message) {
    return new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, message);
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!isHexDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static String removeWhitespace(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!Character.isWhitespace(c)) {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }
}
