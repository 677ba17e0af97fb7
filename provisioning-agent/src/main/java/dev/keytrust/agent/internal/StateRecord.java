package dev.keytrust.agent.internal;

import dev.keytrust.internal.Sha256;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The strict text format of the agent's state files (MFA freshness, TOTP replay, PIN history).
 *
 * <pre>
 *   format=NAME      first line
 *   version=N        second line (decimal, 1..999999999)
 *   name=value       fields: name [a-z][a-z0-9-]*, unique, in order; value UTF-8 without control characters
 *   sha256=hex       last line: SHA-256 of every byte before it, 64 lower-case hex digits
 * </pre>
 *
 * <p>Every line ends with one {@code \n}. Nothing else parses: no blank lines, comments, {@code \r}
 * or trailing bytes. The checksum finds torn or damaged files; it is not a defence against someone
 * who can write the file (see docs/mfa-and-pin.md).
 */
public final class StateRecord {
  /** Largest state file read. */
  public static final int MAX_SIZE = 64 * 1024;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private final String format;
  private final int version;
  private final Map<String, String> fields;

  private StateRecord(String format, int version, Map<String, String> fields) {
    this.format = format;
    this.version = version;
    this.fields = Collections.unmodifiableMap(fields);
  }

  /** A new record to fill with {@link Builder#put}. */
  public static Builder builder(String format, int version) {
    return new Builder(format, version);
  }

  public String format() {
    return format;
  }

  public int version() {
    return version;
  }

  /** Every field in file order. */
  public Map<String, String> fields() {
    return fields;
  }

  /** One field. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** The file bytes. */
  public byte[] toBytes() {
    StringBuilder sb = new StringBuilder();
    sb.append("format=").append(format).append('\n');
    sb.append("version=").append(version).append('\n');
    fields.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] trailer = ("sha256=" + HexFormat.of().formatHex(Sha256.of(body)) + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[body.length + trailer.length];
    System.arraycopy(body, 0, all, 0, body.length);
    System.arraycopy(trailer, 0, all, body.length, trailer.length);
    return all;
  }

  /**
   * Parses a record of the expected format.
   *
   * @throws FormatException when the bytes are not a well-formed record of {@code format} with a
   *     matching checksum, or have a version other than {@code version} ({@link
   *     FormatException#foundVersion()} tells which)
   */
  public static StateRecord parse(byte[] data, String format, int version) throws FormatException {
    if (data.length > MAX_SIZE) {
      throw new FormatException("larger than " + MAX_SIZE + " bytes", 0);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(data))
          .toString();
    } catch (CharacterCodingException e) {
      throw new FormatException("not UTF-8 text", 0);
    }
    if (text.isEmpty() || text.charAt(text.length() - 1) != '\n') {
      throw new FormatException("empty or without a final newline (truncated?)", 0);
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new FormatException("too short", 0);
    }
    if (!lines[0].equals("format=" + format)) {
      throw new FormatException("line 1 is not format=" + format, 0);
    }
    if (!lines[1].startsWith("version=") || !VERSION.matcher(lines[1].substring(8)).matches()) {
      throw new FormatException("line 2 is not version=N", 0);
    }
    int found = Integer.parseInt(lines[1].substring(8));
    if (found != version) {
      throw new FormatException("version " + found + ", this keytrust reads version " + version, found);
    }
    String last = lines[lines.length - 1];
    if (!last.startsWith("sha256=") || !HEX64.matcher(last.substring(7)).matches()) {
      throw new FormatException("the last line is not sha256=<64 hex digits> (truncated?)", 0);
    }
    int bodyLength = text.length() - last.length() - 1;
    byte[] body = text.substring(0, bodyLength).getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(Sha256.of(body), HexFormat.of().parseHex(last.substring(7)))) {
      throw new FormatException("the checksum does not match (damaged or edited)", 0);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 2; i < lines.length - 1; i++) {
      String line = lines[i];
      int eq = line.indexOf('=');
      if (eq < 1 || !NAME.matcher(line.substring(0, eq)).matches()) {
        throw new FormatException("line " + (i + 1) + " is not name=value", 0);
      }
      String value = line.substring(eq + 1);
      if (hasControl(value)) {
        throw new FormatException("line " + (i + 1) + " holds a control character", 0);
      }
      if (fields.put(line.substring(0, eq), value) != null) {
        throw new FormatException("field " + line.substring(0, eq) + " appears twice", 0);
      }
    }
    return new StateRecord(format, version, fields);
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "StateRecord[" + format + " v" + version + ", fields=" + fields.keySet() + "]";
  }

  /** Collects fields in order. */
  public static final class Builder {
    private final String format;
    private final int version;
    private final Map<String, String> fields = new LinkedHashMap<>();

    private Builder(String format, int version) {
      if (!NAME.matcher(format).matches() || version < 1) {
        throw new IllegalArgumentException("bad record format " + format + " v" + version);
      }
      this.format = format;
      this.version = version;
    }

    /** Adds a field; names are unique, values have no control characters. */
    public Builder put(String name, String value) {
      if (!NAME.matcher(name).matches() || name.equals("format") || name.equals("version")
          || name.equals("sha256")) {
        throw new IllegalArgumentException("bad field name " + name);
      }
      if (hasControl(value)) {
        throw new IllegalArgumentException("field " + name + " holds a control character");
      }
      if (fields.put(name, value) != null) {
        throw new IllegalArgumentException("field " + name + " given twice");
      }
      return this;
    }

    public StateRecord build() {
      return new StateRecord(format, version, new LinkedHashMap<>(fields));
    }
  }

  /** A file that is not a well-formed record. The message names the problem, never field values. */
  public static final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int foundVersion;

    FormatException(String message, int foundVersion) {
      super(message);
      this.foundVersion = foundVersion;
    }

    /** The version the file declares when that was the only problem, else 0. */
    public int foundVersion() {
      return foundVersion;
    }
  }
}
