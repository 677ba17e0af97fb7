package dev.keytrust.credential;

/**
 * The KeyUsage entry (0x04) of a key credential: what the key is for. Codes from MS-ADTS 2.2.20.1
 * (NGC, FIDO, FEK) and from DSInternals (the others). A code outside this list is {@link #UNKNOWN};
 * the code itself stays available from {@link KeyCredential#usageCode()}.
 */
public enum KeyUsage {
  /** 0x00: administrator (PIN reset) key. */
  ADMIN_KEY(0x00),
  /** 0x01: KEY_USAGE_NGC, a Windows Hello for Business user key (also computer keys). */
  NGC(0x01),
  /** 0x02: a device's session transport key (STK). */
  STK(0x02),
  /** 0x03: BitLocker recovery key. */
  BITLOCKER_RECOVERY(0x03),
  /** 0x04: other. */
  OTHER(0x04),
  /** 0x07: KEY_USAGE_FIDO, a FIDO2 security key. */
  FIDO(0x07),
  /** 0x08: KEY_USAGE_FEK, a file encryption key. */
  FEK(0x08),
  /** 0x09: DPAPI key (DSInternals; not in the specification). */
  DPAPI(0x09),
  /** A code this list does not know, or a legacy (non one-byte) usage value. */
  UNKNOWN(-1);

  private final int code;

  KeyUsage(int code) {
    this.code = code;
  }

  /** The one-byte code, -1 for {@link #UNKNOWN}. */
  public int code() {
    return code;
  }

  /** The usage of a code; {@link #UNKNOWN} for codes not listed here. */
  public static KeyUsage fromCode(int code) {
    for (KeyUsage u : values()) {
      if (u.code == code && u != UNKNOWN) {
        return u;
      }
    }
    return UNKNOWN;
  }
}
