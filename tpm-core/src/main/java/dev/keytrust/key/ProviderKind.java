package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;

/** Where a user key's private half lives. */
public enum ProviderKind {
  /** Inside a TPM; the key cannot leave it (fixedTPM | fixedParent). */
  TPM("tpm"),
  /** On disk, encrypted under a key derived from the PIN (fallback where policy allows it). */
  SOFTWARE("software");

  private final String id;

  ProviderKind(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static ProviderKind fromId(String id) throws KeytrustException {
    for (ProviderKind k : values()) {
      if (k.id.equals(id)) {
        return k;
      }
    }
    throw new KeytrustException(CoreErrorCode.STORE_CORRUPT, "Unknown key provider '" + id + "'.");
  }
}
