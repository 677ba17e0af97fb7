package dev.keytrust.tpm.session;

import java.util.Objects;

/**
 * The storage root key an object is created or loaded under, as keytrust recorded it: its
 * persistent handle and its Name ({@code TpmKeyBlobs.parentHandle()} and {@code parentName()}).
 * Before salting a session to it, {@link SessionOperations} reads the key at the handle and
 * refuses it unless its Name is this one.
 *
 * @param handle a persistent handle, e.g. 0x81000001
 * @param name nameAlg || H(TPMT_PUBLIC), 34 bytes for SHA-256
 */
public record ParentKey(int handle, byte[] name) {
  public ParentKey {
    name = Objects.requireNonNull(name, "name").clone();
    if (TpmConstants.handleType(handle) != TpmConstants.TPM_HT_PERSISTENT) {
      throw new IllegalArgumentException(String.format("0x%08X is not a persistent handle", handle));
    }
  }

  @Override
  public byte[] name() {
    return name.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParentKey p && p.handle == handle && java.util.Arrays.equals(p.name, name);
  }

  @Override
  public int hashCode() {
    return 31 * handle + java.util.Arrays.hashCode(name);
  }

  @Override
  public String toString() {
    return String.format("ParentKey[0x%08X]", handle);
  }
}
