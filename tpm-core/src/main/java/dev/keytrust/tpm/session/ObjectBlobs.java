package dev.keytrust.tpm.session;

import java.util.Arrays;
import java.util.Objects;

/**
 * A TPM object as TPM2_Create returns it, in the formats {@code TpmKeyBlobs} stores: nothing in
 * it is secret (the private part is wrapped by the parent).
 *
 * @param publicArea the TPMT_PUBLIC, without a size prefix
 * @param privateArea the TPM2B_PRIVATE, with its 2-byte size prefix
 */
public record ObjectBlobs(byte[] publicArea, byte[] privateArea) {
  public ObjectBlobs {
    publicArea = Objects.requireNonNull(publicArea, "publicArea").clone();
    privateArea = Objects.requireNonNull(privateArea, "privateArea").clone();
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
  public boolean equals(Object o) {
    return o instanceof ObjectBlobs b && Arrays.equals(b.publicArea, publicArea) && Arrays.equals(b.privateArea, privateArea);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(publicArea) + Arrays.hashCode(privateArea);
  }

  @Override
  public String toString() {
    return "ObjectBlobs[public=" + publicArea.length + " B, private=" + privateArea.length + " B]";
  }
}
