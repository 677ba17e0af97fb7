package dev.keytrust.credential;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One KEYCREDENTIALLINK_ENTRY exactly as found: identifier, value bytes and where it starts.
 *
 * @param id the identifier byte (0-255; 1-9 are defined, see {@link EntryType})
 * @param value the value (copied)
 * @param offset the byte offset of the entry's 3-byte header in the blob
 */
public record KeyCredentialEntry(int id, byte[] value, int offset) {

  /**
   * @throws NullPointerException if value is null
   * @throws IllegalArgumentException if id is not a byte or the value is longer than 65535 bytes
   */
  public KeyCredentialEntry {
    Objects.requireNonNull(value, "value");
    if (id < 0 || id > 0xFF) {
      throw new IllegalArgumentException("entry id must fit one byte");
    }
    if (value.length > 0xFFFF) {
      throw new IllegalArgumentException("entry value must not exceed 65535 bytes");
    }
    value = value.clone();
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  /** The value length. */
  public int length() {
    return value.length;
  }

  /** The defined type of this entry, empty for unknown identifiers. */
  public Optional<EntryType> type() {
    return EntryType.fromId(id);
  }

  byte[] valueUnsafe() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyCredentialEntry e
        && id == e.id
        && offset == e.offset
        && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * id + offset) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return String.format("KeyCredentialEntry[id=0x%02X, %d bytes at %d]", id, value.length, offset);
  }
}
