package dev.keytrust.agent.records;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
  public UserRecord {
    Objects.requireNonNull(format, "format");
    if (!isName(format) || version < 1) {
      throw new IllegalArgumentException("invalid record format " + format + " version " + version);
    }
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      String value = Objects.requireNonNull(e.getValue(), e.getKey());
      if (!isName(e.getKey()) || e.getKey().equals("format") || e.getKey().equals("version")) {
        throw new IllegalArgumentException("invalid record field name " + e.getKey());
      }
      for (int i = 0; i < value.length(); i++) {
        if (Character.isISOControl(value.charAt(i))) {
          throw new IllegalArgumentException("control character in record field " + e.getKey());
        }
      }
      copy.put(e.getKey(), value);
    }
    fields = Collections.unmodifiableMap(copy);
  }

  /**
   * {@code [A-Za-z][A-Za-z0-9]*}, checked by hand: every record written checks each of its field
   * names (a journal has about 25), so no regular expression matcher per name.
   */
  static boolean isName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** A field's value, or {@code null} when the record has no such field. */
  public String get(String name) {
    return fields.get(name);
  }
}
