package dev.keytrust.credential;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An LDAP Object(DN-Binary) value (syntax 2.5.5.7), the string form of msDS-KeyCredentialLink:
 * {@code B:<count>:<hex>:<DN>}, where {@code count} is the number of hex digits (twice the byte
 * length) and {@code DN} is everything after the third colon, taken verbatim (it may contain
 * colons and spaces).
 *
 * <p>{@link #parse(String)} accepts upper- and lower-case hex; {@link #format()} writes upper-case.
 * The binary part is never empty. The byte array is copied on the way in and out.
 *
 * @param binary the binary value (for msDS-KeyCredentialLink: the KEYCREDENTIALLINK_BLOB)
 * @param dn the owner DN, verbatim
 */
public record DnBinary(byte[] binary, String dn) {
  private static final HexFormat HEX_UPPER = HexFormat.of().withUpperCase();
  /** Digits allowed in the count: 9 keeps it inside an int with room to spare. */
  private static final int MAX_COUNT_DIGITS = 9;

  /**
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code binary} is empty
   */
  public DnBinary {
    Objects.requireNonNull(binary, "binary");
    Objects.requireNonNull(dn, "dn");
    if (binary.length == 0) {
      throw new IllegalArgumentException("a DN-Binary value needs a non-empty binary part");
    }
    binary = binary.clone();
  }

  /** A copy of the binary part. */
  @Override
  public byte[] binary() {
    return binary.clone();
  }

  /**
   * Reads {@code B:<count>:<hex>:<DN>}.
   *
   * @throws KeyCredentialFormatException (code {@code DN_BINARY_MALFORMED}) when the prefix is not
   *     {@code B:}, the count is not a decimal number, odd or zero, the hex part does not have
   *     exactly {@code count} digits followed by {@code :}, a digit is not hex, or the DN is empty;
   *     {@link KeyCredentialFormatException#offset()} is the character offset of the problem
   */
  public static DnBinary parse(String value) throws KeyCredentialFormatException {
    if (value == null) {
      throw KeyCredentialFormatException.dnBinary("the value is missing (null)", 0);
    }
    if (!value.startsWith("B:")) {
      throw KeyCredentialFormatException.dnBinary("the value does not start with \"B:\"", 0);
    }
    int pos = 2;
    int countStart = pos;
    long count = 0;
    while (pos < value.length() && value.charAt(pos) >= '0' && value.charAt(pos) <= '9') {
      if (pos - countStart >= MAX_COUNT_DIGITS) {
        throw KeyCredentialFormatException.dnBinary("the hex digit count is too large", countStart);
      }
      count = count * 10 + (value.charAt(pos) - '0');
      pos++;
    }
    if (pos == countStart) {
      throw KeyCredentialFormatException.dnBinary(
          "the hex digit count is missing or not a decimal number", countStart);
    }
    if (pos >= value.length() || value.charAt(pos) != ':') {
      throw KeyCredentialFormatException.dnBinary("expected ':' after the hex digit count", pos);
    }
    if (count == 0) {
      throw KeyCredentialFormatException.dnBinary("the binary part is empty (count 0)", countStart);
    }
    if (count % 2 != 0) {
      throw KeyCredentialFormatException.dnBinary(
          "the hex digit count " + count + " is odd; it must be twice the byte length", countStart);
    }
    int hexStart = pos + 1;
    int actual = 0;
    while (hexStart + actual < value.length() && value.charAt(hexStart + actual) != ':') {
      actual++;
    }
    if (actual == 0) {
      throw KeyCredentialFormatException.dnBinary(
          "the binary part is empty although the count says " + count + " hex digits", hexStart);
    }
    int hexEnd = hexStart + actual;
    if (hexEnd == value.length()) {
      throw KeyCredentialFormatException.dnBinary(
          "no ':' and owner DN after the hex part", hexEnd);
    }
    if (actual != count) {
      throw KeyCredentialFormatException.dnBinary(
          "the count says " + count + " hex digits but " + actual + " are present", countStart);
    }
    for (int i = hexStart; i < hexEnd; i++) {
      if (!isHexDigit(value.charAt(i))) {
        throw KeyCredentialFormatException.dnBinary(
            "'" + printable(value.charAt(i)) + "' is not a hex digit", i);
      }
    }
    String dn = value.substring(hexEnd + 1);
    if (dn.isEmpty()) {
      throw KeyCredentialFormatException.dnBinary("the owner DN after the third ':' is empty", hexEnd + 1);
    }
    byte[] bytes = HexFormat.of().parseHex(value, hexStart, hexEnd);
    return new DnBinary(bytes, dn);
  }

  /** {@code B:<2 * length>:<upper-case hex>:<dn>}. */
  public String format() {
    return "B:" + (2L * binary.length) + ":" + HEX_UPPER.formatHex(binary) + ":" + dn;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DnBinary other && Arrays.equals(binary, other.binary) && dn.equals(other.dn);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(binary) + dn.hashCode();
  }

  /** The formatted value (a public attribute value, no secret). */
  @Override
  public String toString() {
    return format();
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
  }
}
