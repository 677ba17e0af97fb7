package dev.keytrust.tpm;

import java.util.Objects;

/**
 * A TPM key object as TPM2_Create returned it: what TPM2_Load takes back, under the same parent.
 * Nothing in here is secret in clear (the private area is wrapped by the parent).
 *
 * @param parentHandle the persistent handle of the storage root key it was created under
 * @param parentName the TPM Name of that storage root key (nameAlg || digest), checked before use
 * @param publicArea the TPMT_PUBLIC, without a size prefix
 * @param privateArea the TPM2B_PRIVATE, with its 2-byte size prefix (wrapped by the parent)
 */
public record LoadableKey(int parentHandle, byte[] parentName, byte[] publicArea, byte[] privateArea) {
  public LoadableKey {
    parentName = Objects.requireNonNull(parentName, "parentName").clone();
    publicArea = Objects.requireNonNull(publicArea, "publicArea").clone();
    privateArea = Objects.requireNonNull(privateArea, "privateArea").clone();
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
  public String toString() {
    return "LoadableKey[parent=0x" + Integer.toHexString(parentHandle) + ", public=" + publicArea.length
        + " B, private=" + privateArea.length + " B]";
  }
}
