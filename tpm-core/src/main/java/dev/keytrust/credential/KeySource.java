package dev.keytrust.credential;

/**
 * The KeySource entry (0x05): who wrote the key. It also decides how a version 2 credential encodes
 * its timestamps (FILETIME for {@link #AD}, .NET {@code DateTime.ToBinary} otherwise). A code
 * outside this list is {@link #UNKNOWN}; the code stays available from {@link
 * KeyCredential#sourceCode()}.
 */
public enum KeySource {
  /** 0x00: KEY_SOURCE_AD, on-premises Active Directory. */
  AD(0x00),
  /** 0x01: Azure AD (Entra ID), keys written back from the cloud. */
  AZURE_AD(0x01),
  /** A code this list does not know. */
  UNKNOWN(-1);

  private final int code;

  KeySource(int code) {
    this.code = code;
  }

  /** The one-byte code, -1 for {@link #UNKNOWN}. */
  public int code() {
    return code;
  }

  /** The source of a code; {@link #UNKNOWN} for codes not listed here. */
  public static KeySource fromCode(int code) {
    return switch (code) {
      case 0x00 -> AD;
      case 0x01 -> AZURE_AD;
      default -> UNKNOWN;
    };
  }
}
