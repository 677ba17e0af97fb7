package dev.keytrust.credential;

import java.util.Optional;

/** The entry identifiers of KEYCREDENTIALLINK_BLOB (MS-ADTS 2.2.20.2). */
public enum EntryType {
  /** 0x01: KeyID, SHA-256 of the key material (FIDO: the credential id; version 1: a GUID). */
  KEY_ID(0x01),
  /** 0x02: KeyHash, SHA-256 of all bytes that follow this entry. */
  KEY_HASH(0x02),
  /** 0x03: KeyMaterial. */
  KEY_MATERIAL(0x03),
  /** 0x04: KeyUsage. */
  KEY_USAGE(0x04),
  /** 0x05: KeySource. */
  KEY_SOURCE(0x05),
  /** 0x06: DeviceId (GUID). */
  DEVICE_ID(0x06),
  /** 0x07: CustomKeyInformation. */
  CUSTOM_KEY_INFORMATION(0x07),
  /** 0x08: KeyApproximateLastLogonTimeStamp. */
  KEY_APPROXIMATE_LAST_LOGON_TIMESTAMP(0x08),
  /** 0x09: KeyCreationTime. */
  KEY_CREATION_TIME(0x09);

  private final int id;

  EntryType(int id) {
    this.id = id;
  }

  /** The one-byte identifier. */
  public int id() {
    return id;
  }

  /** The type of an identifier, empty for identifiers the specification does not define. */
  public static Optional<EntryType> fromId(int id) {
    return id >= 1 && id <= 9 ? Optional.of(values()[id - 1]) : Optional.empty();
  }
}
