package dev.keytrust.key;

import java.util.Map;

/**
 * The provider-specific, persisted form of a private key: TPM blobs (useless outside the TPM that
 * made them) or a PIN-encrypted software key. Neither holds anything secret in clear.
 */
public sealed interface ProtectedKey permits TpmKeyBlobs, SoftwareKeyBlob {

  /**
   * Provider state files that must exist as soon as the key does: {@link KeyContainerStore#save}
   * writes them into the user's directory <em>before</em> it links the key file into place, so a
   * stored key always has them. File name to content; empty for TPM keys and for keys read back
   * from the store (their state is already on disk).
   */
  default Map<String, byte[]> initialState() {
    return Map.of();
  }
}
