package dev.keytrust.nativeio;

import dev.keytrust.secret.SecretMemory;
import dev.keytrust.secret.SecretBufferProvider;

/**
 * The {@link SecretBufferProvider} of this module, found by {@link java.util.ServiceLoader}:
 * {@link LockedMemory} buffers ({@code mlock} and {@code MADV_DONTDUMP} on Linux, {@code
 * VirtualLock} on Windows).
 */
public final class LockedSecretBufferProvider implements SecretBufferProvider {

  /** Used by {@link java.util.ServiceLoader}. */
  public LockedSecretBufferProvider() {}

  @Override
  public SecretMemory allocate(int size) {
    return LockedMemory.allocate(size);
  }
}
