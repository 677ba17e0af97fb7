package dev.keytrust.store;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.StrictUtf8;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * User names as directory names: the same encoding for the key store's user directories and the
 * agent's record directories, reversible, safe on every file system keytrust runs on.
 */
public final class UserNames {
  /** Longest user name, in UTF-16 characters. */
  public static final int MAX_USER_LENGTH = 255;
  /** Longest directory name most file systems accept, in bytes. */
  static final int MAX_DIRECTORY_NAME = 255;
  private static final Pattern WINDOWS_RESERVED =
      Pattern.compile("(con|prn|aux|nul|com[0-9]|lpt[0-9])(\\..*)?", Pattern.CASE_INSENSITIVE);

  /** The last name encoded and its directory name: a flow asks for the same user's a dozen times. */
  private record Encoded(String user, String directoryName) {}

  private static volatile Encoded last;

  private UserNames() {}

  /**
   * Checks a user name: 1..{@value #MAX_USER_LENGTH} characters, well-formed UTF-16, no control
   * characters, and a directory name of at most 255 bytes.
   */
  public static void checkUser(String user) throws KeytrustException {
    directoryName(user);
  }

  /**
   * The directory name of a user: the UTF-8 bytes of the name, with every byte outside
   * {@code [A-Za-z0-9._@-]} written as {@code %XX} (upper-case hex). A leading or trailing dot,
   * and the first character of a Windows device name (CON, NUL, COM1, ...), are encoded too, so
   * that no name maps to {@code .}, {@code ..}, a hidden file or a reserved name.
   */
  public static String directoryName(String user) throws KeytrustException {
    Encoded known = last;
    if (known != null && known.user().equals(user)) {
      return known.directoryName();
    }
    String name = encode(user);
    last = new Encoded(user, name);
    return name;
  }

  private static String encode(String user) throws KeytrustException {
    if (user == null || user.isEmpty()) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "The user name is empty: give a user name.");
    }
    if (user.length() > MAX_USER_LENGTH) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The user name is longer than " + MAX_USER_LENGTH + " characters: give a shorter name.");
    }
    for (int i = 0; i < user.length(); i++) {
      if (Character.isISOControl(user.charAt(i))) {
        throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
            "The user name contains a control character at position " + (i + 1) + ": give a printable name.");
      }
    }
    byte[] utf8;
    try {
      ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(java.nio.CharBuffer.wrap(user));
      utf8 = new byte[bb.remaining()];
      bb.get(utf8);
    } catch (CharacterCodingException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The user name is not valid Unicode text (an unpaired surrogate): retype it.");
    }
    boolean reserved = WINDOWS_RESERVED.matcher(user).matches();
    StringBuilder sb = new StringBuilder(utf8.length * 3);
    for (int i = 0; i < utf8.length; i++) {
      int b = utf8[i] & 0xff;
      boolean dotAtEdge = b == '.' && (i == 0 || i == utf8.length - 1);
      if (isSafe(b) && !dotAtEdge && !(reserved && i == 0)) {
        sb.append((char) b);
      } else {
        sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) b));
      }
    }
    if (sb.length() > MAX_DIRECTORY_NAME) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The user name is too long for a directory name once encoded (" + sb.length() + " > "
              + MAX_DIRECTORY_NAME + " bytes): give a shorter name.");
    }
    return sb.toString();
  }

  /** The user of a directory name, when it is exactly what {@link #directoryName} gives for it. */
  public static Optional<String> userFromDirectoryName(String name) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(name.length());
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch == '%' && i + 2 < name.length()) {
        String hex = name.substring(i + 1, i + 3);
        if (!hex.matches("[0-9A-F]{2}")) {
          return Optional.empty();
        }
        bytes.write(Integer.parseInt(hex, 16));
        i += 2;
      } else if (ch < 0x80 && isSafe(ch)) {
        bytes.write(ch);
      } else {
        return Optional.empty();
      }
    }
    try {
      String user = StrictUtf8.decode(bytes.toByteArray());
      return directoryName(user).equals(name) ? Optional.of(user) : Optional.empty();
    } catch (CharacterCodingException | KeytrustException e) {
      return Optional.empty();
    }
  }

  private static boolean isSafe(int b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
        || b == '.' || b == '_' || b == '@' || b == '-';
  }
}
