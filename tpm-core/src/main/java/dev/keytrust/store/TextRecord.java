package dev.keytrust.store;

import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.internal.Sha256;
import dev.keytrust.internal.StrictUtf8;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The strict text format of every file keytrust keeps: the key store's key files, counters and
 * lock, and the agent's records and state (journal, receipts, MFA freshness, PIN history).
 *
 * <pre>
 *   format=NAME          first line, always
 *   version=N            second line, always (decimal, no sign, no leading zero)
 *   name=value           zero or more fields: name [A-Za-z][A-Za-z0-9-]*, unique; value UTF-8, no control characters
 *   INTEGRITY=hex        last line: sha256=... (SHA-256) or hmac-sha256=... (HMAC-SHA256),
 *                        64 lower-case hex digits over every byte before this line
 * </pre>
 *
 * <p>Lines end with a single {@code \n}, including the last. Nothing else is accepted: no blank
 * lines, no comments, no {@code \r}, no trailing bytes. Bytes are base64 (RFC 4648, padded). The
 * first two lines keep this shape in every version, so a reader can tell "newer version" from
 * "damaged" before it looks at anything else. Immutable.
 */
public final class TextRecord {
  static final String SHA256 = "sha256";
  static final String HMAC_SHA256 = "hmac-sha256";
  /** Largest record, in bytes. */
  public static final int MAX_SIZE = 1 << 20;

  private final String format;
  private final int version;
  private final Map<String, String> fields;
  private final String integrityName;
  private final byte[] integrityValue;
  private final byte[] signed;

  private TextRecord(
      String format, int version, Map<String, String> fields, String integrityName, byte[] integrityValue,
      byte[] signed) {
    this.format = format;
    this.version = version;
    this.fields = fields;
    this.integrityName = integrityName;
    this.integrityValue = integrityValue;
    this.signed = signed;
  }

  /** Why a file does not parse. The message is a short reason without file contents. */
  public static final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int unsupportedVersion;

    public FormatException(String reason) {
      this(reason, 0);
    }

    private FormatException(String reason, int unsupportedVersion) {
      super(reason);
      this.unsupportedVersion = unsupportedVersion;
    }

    /** The version found when it is well-formed but not the supported one, else 0. */
    public int unsupportedVersion() {
      return unsupportedVersion;
    }
  }

  /**
   * Parses a record of the given format and version. Does not check its integrity line: call
   * {@link #sha256Matches()} or {@link #hmacMatches(byte[])}.
   *
   * @throws FormatException when the bytes are not such a record; {@link
   *     FormatException#unsupportedVersion()} is set when only the version differs
   */
  public static TextRecord parse(byte[] data, String expectedFormat, int supportedVersion) throws FormatException {
    if (data.length == 0) {
      throw new FormatException("the file is empty");
    }
    if (data.length > MAX_SIZE) {
      throw new FormatException("the file is larger than " + MAX_SIZE + " bytes");
    }
    if (data[data.length - 1] != '\n') {
      throw new FormatException("the file does not end with a complete line (truncated?)");
    }
    String text;
    try {
      text = StrictUtf8.decode(data);
    } catch (CharacterCodingException e) {
      throw new FormatException("the file is not UTF-8 text");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new FormatException("the file has fewer lines than any valid record");
    }
    String format = value(lines[0], "format", 1);
    if (!format.equals(expectedFormat)) {
      throw new FormatException("it is not a " + expectedFormat + " file");
    }
    String v = value(lines[1], "version", 2);
    if (!isVersion(v)) {
      throw new FormatException("line 2 has no valid version number");
    }
    int version = Integer.parseInt(v);
    if (version != supportedVersion) {
      throw new FormatException("it has format version " + version + ", this keytrust reads version "
          + supportedVersion, version);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 2; i < lines.length - 1; i++) {
      String line = lines[i];
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new FormatException("line " + (i + 1) + " is not name=value");
      }
      String name = line.substring(0, eq);
      if (!isFieldName(name) || name.equals("format") || name.equals("version")) {
        throw new FormatException("line " + (i + 1) + " has an invalid field name");
      }
      String value = line.substring(eq + 1);
      checkValue(value, i + 1);
      if (fields.put(name, value) != null) {
        throw new FormatException("field '" + name + "' appears twice");
      }
    }
    String last = lines[lines.length - 1];
    int eq = last.indexOf('=');
    String integrityName = eq < 0 ? "" : last.substring(0, eq);
    if (!integrityName.equals(SHA256) && !integrityName.equals(HMAC_SHA256)) {
      throw new FormatException("the last line is not the integrity line (truncated?)");
    }
    String hex = last.substring(eq + 1);
    if (!isHex64(hex)) {
      throw new FormatException("the integrity line is not 64 hex digits (truncated?)");
    }
    int signedLength = data.length - last.getBytes(StandardCharsets.UTF_8).length - 1;
    byte[] signed = java.util.Arrays.copyOf(data, signedLength);
    return new TextRecord(
        format, version, Collections.unmodifiableMap(fields), integrityName, HexFormat.of().parseHex(hex), signed);
  }

  /**
   * A field name, {@code [A-Za-z][A-Za-z0-9-]*}: checked by hand, as every record read and written
   * checks each of its names (no regular expression matcher per field).
   */
  static boolean isFieldName(String name) {
    if (name.isEmpty() || !isAsciiLetter(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  /** {@code [1-9][0-9]{0,8}}. */
  static boolean isVersion(String v) {
    if (v.isEmpty() || v.length() > 9 || v.charAt(0) < '1' || v.charAt(0) > '9') {
      return false;
    }
    for (int i = 1; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** {@code 0|-?[1-9][0-9]{0,18}}. */
  static boolean isDecimal(String v) {
    if (v.equals("0")) {
      return true;
    }
    int start = v.startsWith("-") ? 1 : 0;
    int digits = v.length() - start;
    if (digits < 1 || digits > 19 || v.charAt(start) < '1' || v.charAt(start) > '9') {
      return false;
    }
    for (int i = start + 1; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** {@code [0-9a-f]{64}}. */
  static boolean isHex64(String hex) {
    if (hex.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = hex.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  private static String value(String line, String name, int lineNo) throws FormatException {
    if (!line.startsWith(name + "=")) {
      throw new FormatException("line " + lineNo + " is not '" + name + "='");
    }
    return line.substring(name.length() + 1);
  }

  private static void checkValue(String value, int lineNo) throws FormatException {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new FormatException("line " + lineNo + " contains a control character");
      }
    }
  }

  public String format() {
    return format;
  }

  public int version() {
    return version;
  }

  /** True when the integrity line is a SHA-256 checksum and it matches. */
  public boolean sha256Matches() {
    return integrityName.equals(SHA256) && MessageDigest.isEqual(integrityValue, Sha256.of(signed));
  }

  /** True when the integrity line is an HMAC-SHA256 under {@code key} and it matches. */
  public boolean hmacMatches(byte[] key) {
    return integrityName.equals(HMAC_SHA256) && MessageDigest.isEqual(integrityValue, hmac(key, signed));
  }

  /** Fails unless the record has exactly these field names. */
  public void requireFields(Set<String> names) throws FormatException {
    for (String n : fields.keySet()) {
      if (!names.contains(n)) {
        throw new FormatException("unknown field '" + n + "'");
      }
    }
    for (String n : names) {
      if (!fields.containsKey(n)) {
        throw new FormatException("field '" + n + "' is missing");
      }
    }
  }

  /** The field names, in file order. */
  public Set<String> names() {
    return fields.keySet();
  }

  /** Every field in file order. */
  public Map<String, String> fields() {
    return fields;
  }

  /** One field, or empty when the record has none of that name. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** A field that must be there. */
  public String text(String name) throws FormatException {
    String v = fields.get(name);
    if (v == null) {
      throw new FormatException("field '" + name + "' is missing");
    }
    return v;
  }

  /** A base64 field that must be there. */
  public byte[] bytes(String name) throws FormatException {
    try {
      return Base64.getDecoder().decode(text(name));
    } catch (IllegalArgumentException e) {
      throw new FormatException("field '" + name + "' is not base64");
    }
  }

  /** A hex field that must be there. */
  public byte[] hex(String name) throws FormatException {
    try {
      return HexFormat.of().parseHex(text(name));
    } catch (IllegalArgumentException e) {
      throw new FormatException("field '" + name + "' is not hex");
    }
  }

  /** A decimal field that must be there, within [min, max]. */
  public long number(String name, long min, long max) throws FormatException {
    String v = text(name);
    if (!isDecimal(v)) {
      throw new FormatException("field '" + name + "' is not a decimal number");
    }
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new FormatException("field '" + name + "' is out of range");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new FormatException("field '" + name + "' is out of range");
    }
  }

  /** HMAC-SHA256, as the integrity line uses it. */
  public static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("HMAC-SHA256 missing from the JDK", e);
    }
  }

  /** Builds a record; values are checked so that what is written always parses back. */
  public static final class Writer {
    private final StringBuilder text = new StringBuilder();
    private final Set<String> used = new java.util.HashSet<>();

    public Writer(String format, int version) {
      text.append("format=").append(format).append('\n');
      text.append("version=").append(version).append('\n');
    }

    public Writer text(String name, String value) {
      if (!isFieldName(name) || !used.add(name)) {
        throw new KeytrustBugException("invalid or repeated field name " + name);
      }
      for (int i = 0; i < value.length(); i++) {
        if (Character.isISOControl(value.charAt(i))) {
          throw new KeytrustBugException("control character in field " + name);
        }
      }
      text.append(name).append('=').append(value).append('\n');
      return this;
    }

    public Writer bytes(String name, byte[] value) {
      return text(name, Base64.getEncoder().encodeToString(value));
    }

    public Writer hex(String name, byte[] value) {
      return text(name, HexFormat.of().formatHex(value));
    }

    public Writer number(String name, long value) {
      return text(name, Long.toString(value));
    }

    /** The record with a SHA-256 checksum line. */
    public byte[] sealSha256() {
      byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
      return seal(body, SHA256, Sha256.of(body));
    }

    /** The record with an HMAC-SHA256 line under {@code key}. */
    public byte[] sealHmac(byte[] key) {
      byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
      return seal(body, HMAC_SHA256, hmac(key, body));
    }

    private static byte[] seal(byte[] body, String name, byte[] tag) {
      byte[] line = (name + "=" + HexFormat.of().formatHex(tag) + "\n").getBytes(StandardCharsets.US_ASCII);
      byte[] out = java.util.Arrays.copyOf(body, body.length + line.length);
      System.arraycopy(line, 0, out, body.length, line.length);
      return out;
    }
  }
}
