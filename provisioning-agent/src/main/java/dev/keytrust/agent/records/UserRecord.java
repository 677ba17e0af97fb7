package dev.keytrust.agent.records;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A small record kept beside a user's key, such as the provisioning journal or a registration
 * receipt ({@link UserRecords#write}). On disk it is a versioned, checksummed text
 * file, like every file of the store. It must not hold a secret: records are integrity-checked,
 * not encrypted.
 *
 * @param format the record's format name, letters and digits, starting with a letter
 * @param version the format version, 1 or more
 * @param fields the fields in order: names letters and digits starting with a letter, values
 *     without control characters
 */
public record UserRecord(String format, int version, Map<String, String> fields) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

  public UserRecord {
    Objects.requireNonNull(format, "format");
    if (!NAME.matcher(format).matches() || version < 1) {
      throw new IllegalArgumentException("invalid record format " + format + " version " + version);
    }
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      String value = Objects.requireNonNull(e.getValue(), e.getKey());
      if (!NAME.matcher(e.getKey()).matches() || e.getKey().equals("format") || e.getKey().equals("version")) {
        throw new IllegalArgumentException("invalid record field name " + e.getKey());
      }
      if (value.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("control character in record field " + e.getKey());
      }
      copy.put(e.getKey(), value);
    }
    fields = Collections.unmodifiableMap(copy);
  }

  /** A field's value, or {@code null} when the record has no such field. */
  public String get(String name) {
    return fields.get(name);
  }
}
