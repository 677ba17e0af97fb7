package dev.keytrust.secret;

/**
 * Service-provider interface: allocates the {@link SecretMemory} behind {@link SecretBuffer}s,
 * normally in locked native memory.
 * Found with {@link java.util.ServiceLoader}; the {@code keytrust-native} module provides one
 * ({@code mlock}/{@code VirtualLock}). The first provider found is used.
 */
public interface SecretBufferProvider {

  /**
   * A zeroed region of {@code size} bytes. When memory cannot be locked the provider still returns
   * a working region whose {@link SecretMemory#isLocked()} is false, and warns once.
   *
   * @param size at least 1
   */
  SecretMemory allocate(int size);
}
