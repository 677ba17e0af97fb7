package dev.keytrust.credential;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The CustomKeyInformation entry (0x07, MS-ADTS 2.2.20.4), read the way real directories need: the
 * specification allows 2 bytes or the full structure, but Entra ID wrote 4, 5, 6 and 15 bytes. Each
 * one-byte field is read while bytes remain (Version, Flags, VolType, SupportsNotification,
 * FekKeyVersion, KeyStrength), then {@code min(10, remaining)} Reserved bytes, and whatever follows
 * is the EncodedExtendedCKI (kept raw). Any length is accepted; {@link #isShort()} reports values
 * below the specification's 2 bytes.
 *
 * @param encoded the entry's value (copied)
 */
public record CustomKeyInformation(byte[] encoded) {
  /** Flags bit 0x01: CUSTOMKEYINFO_FLAGS_ATTESTATION (set on attested FIDO keys). */
  public static final int FLAG_ATTESTATION = 0x01;
  /** Flags bit 0x02: CUSTOMKEYINFO_FLAGS_MFA_NOT_USED (required on computer validated writes). */
  public static final int FLAG_MFA_NOT_USED = 0x02;
  /** The only version defined. */
  public static final int VERSION_1 = 1;
  /** The FekKeyVersion the specification requires in the long form (Entra ID writes 0). */
  public static final int FEK_KEY_VERSION_1 = 1;
  /** KeyStrength 2: normal. */
  public static final int KEY_STRENGTH_NORMAL = 2;
  /** Length of the specification's long form without EncodedExtendedCKI: 6 one-byte fields and 10 reserved bytes. */
  public static final int SPECIFICATION_LONG_LENGTH = 16;

  private static final int RESERVED_MAX = 10;
  private static final int FIXED_FIELDS = 6;

  /** @throws NullPointerException if encoded is null */
  public CustomKeyInformation {
    Objects.requireNonNull(encoded, "encoded");
    encoded = encoded.clone();
  }

  /** The two-byte form {@code 01 <flags>} that on-premises writers use. */
  public static CustomKeyInformation ofFlags(int flags) {
    if (flags < 0 || flags > 0xFF) {
      throw new IllegalArgumentException("flags must fit one byte");
    }
    return new CustomKeyInformation(new byte[] {VERSION_1, (byte) flags});
  }

  /**
   * The long form exactly as MS-ADTS 2.2.20.3 describes it, without EncodedExtendedCKI: Version 1,
   * {@code flags}, {@code volumeType}, {@code supportsNotification}, FekKeyVersion 1, {@code
   * keyStrength}, 10 zero Reserved bytes ({@value #SPECIFICATION_LONG_LENGTH} bytes). Strict
   * parsers (Samba 4.24's KDC) accept only this long form or the two-byte one; the 15-byte form
   * Entra ID writes back (FekKeyVersion 0, 9 Reserved bytes) makes them skip the whole value.
   *
   * @throws IllegalArgumentException when a field does not fit one byte
   */
  public static CustomKeyInformation specificationLongForm(
      int flags, int volumeType, int supportsNotification, int keyStrength) {
    byte[] b = new byte[SPECIFICATION_LONG_LENGTH];
    b[0] = VERSION_1;
    b[1] = oneByte(flags, "flags");
    b[2] = oneByte(volumeType, "volumeType");
    b[3] = oneByte(supportsNotification, "supportsNotification");
    b[4] = FEK_KEY_VERSION_1;
    b[5] = oneByte(keyStrength, "keyStrength");
    return new CustomKeyInformation(b);
  }

  private static byte oneByte(int value, String name) {
    if (value < 0 || value > 0xFF) {
      throw new IllegalArgumentException(name + " must fit one byte");
    }
    return (byte) value;
  }

  /**
   * True when the value has one of the two forms MS-ADTS 2.2.20.3 allows: 2 bytes (Version 1,
   * Flags), or Version 1, FekKeyVersion 1 and at least the 10 Reserved bytes (EncodedExtendedCKI may
   * follow). False for the shorter forms real directories hold (Entra ID's 4, 5, 6 and 15 bytes),
   * which this class reads all the same.
   */
  public boolean isSpecificationForm() {
    if (encoded.length == 2) {
      return encoded[0] == VERSION_1;
    }
    return encoded.length >= SPECIFICATION_LONG_LENGTH && encoded[0] == VERSION_1
        && encoded[4] == FEK_KEY_VERSION_1;
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  /** The number of bytes. */
  public int length() {
    return encoded.length;
  }

  /** True when the value is shorter than the 2 bytes (Version, Flags) the specification requires. */
  public boolean isShort() {
    return encoded.length < 2;
  }

  private OptionalInt field(int index) {
    return index < encoded.length ? OptionalInt.of(encoded[index] & 0xFF) : OptionalInt.empty();
  }

  /** Byte 0, Version (1). */
  public OptionalInt version() {
    return field(0);
  }

  /** Byte 1, Flags ({@link #FLAG_ATTESTATION}, {@link #FLAG_MFA_NOT_USED}). */
  public OptionalInt flags() {
    return field(1);
  }

  /** Byte 2, VolType: 0 none, 1 OS volume, 2 fixed data volume, 3 removable data volume. */
  public OptionalInt volumeType() {
    return field(2);
  }

  /** Byte 3, SupportsNotification: 0 no, 1 yes. */
  public OptionalInt supportsNotification() {
    return field(3);
  }

  /** Byte 4, FekKeyVersion (the specification says 1; real values are 0). */
  public OptionalInt fekKeyVersion() {
    return field(4);
  }

  /** Byte 5, KeyStrength: 0 unknown, 1 weak, 2 normal. */
  public OptionalInt keyStrength() {
    return field(5);
  }

  /** Bytes 6 to 15, Reserved: up to 10 bytes (Entra writes 9), empty when absent. */
  public byte[] reserved() {
    int from = Math.min(FIXED_FIELDS, encoded.length);
    int to = Math.min(FIXED_FIELDS + RESERVED_MAX, encoded.length);
    return Arrays.copyOfRange(encoded, from, to);
  }

  /** Bytes from 16 on, EncodedExtendedCKI (MS-ADTS 2.2.20.4.1), raw; empty when absent. */
  public byte[] extendedInfo() {
    int from = Math.min(FIXED_FIELDS + RESERVED_MAX, encoded.length);
    return Arrays.copyOfRange(encoded, from, encoded.length);
  }

  /** True when Flags is present and has {@code flag} set. */
  public boolean hasFlag(int flag) {
    return flags().isPresent() && (flags().getAsInt() & flag) != 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CustomKeyInformation c && Arrays.equals(encoded, c.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "CustomKeyInformation[" + Bytes.hex(encoded) + "]";
  }
}
