package dev.keytrust.key;

import dev.keytrust.tpm.LoadableKey;
import java.util.Objects;

/**
 * A TPM user key as TPM2_Create returned it.
 *
 * @param parentHandle the persistent handle of the storage root key it was created under
 * @param parentName the TPM Name of that storage root key (nameAlg || digest), checked before use
 * @param publicArea the TPMT_PUBLIC, without a size prefix
 * @param privateArea the TPM2B_PRIVATE, with its 2-byte size prefix (wrapped by the parent)
 * @param authSalt the per-key salt of the PIN-to-auth-value derivation ({@link PinAuth})
 */
public record TpmKeyBlobs(
    int parentHandle, byte[] parentName, byte[] publicArea, byte[] privateArea, byte[] authSalt)
    implements ProtectedKey {
  /** The blobs of a key TPM2_Create just made, with the salt of its auth value. */
  public TpmKeyBlobs(LoadableKey key, byte[] authSalt) {
    this(key.parentHandle(), key.parentName(), key.publicArea(), key.privateArea(), authSalt);
  }

  public TpmKeyBlobs {
    parentName = Objects.requireNonNull(parentName, "parentName").clone();
    publicArea = Objects.requireNonNull(publicArea, "publicArea").clone();
    privateArea = Objects.requireNonNull(privateArea, "privateArea").clone();
    authSalt = Objects.requireNonNull(authSalt, "authSalt").clone();
  }

  /** The key object as TPM2_Load takes it. */
  public LoadableKey loadable() {
    return new LoadableKey(parentHandle, parentName, publicArea, privateArea);
  }

  @Override
  public byte[] parentName() {
    return parentName.clone();
  }

  @Override
  public byte[] publicArea() {
    return publicArea.clone();
  }

  @Override
  public byte[] privateArea() {
    return privateArea.clone();
  }

  @Override
  public byte[] authSalt() {
    return authSalt.clone();
  }

  @Override
  public String toString() {
    return "TpmKeyBlobs[parent=0x" + Integer.toHexString(parentHandle) + ", public=" + publicArea.length
        + " B, private=" + privateArea.length + " B]";
  }
}
