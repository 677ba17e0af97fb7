package dev.keytrust.secret;

/**
 * Service-provider interface: one region of memory for secret bytes, as a {@link
 * SecretBufferProvider} allocates it (locked native memory in {@code keytrust-native}, a heap array
 * otherwise). Only {@link SecretBuffer} holds these; applications use {@link SecretBuffer}, whose
 * reads need a {@link SecretAccess}.
 *
 * <p>Implementations are thread safe, zeroed when allocated and when closed, print only their size
 * and lock state in {@code toString}, and fail with {@link IllegalStateException} when used after
 * {@link #close()}.
 */
public interface SecretMemory extends AutoCloseable {

  /** The usable size in bytes. */
  int size();

  /** True when the bytes are locked in RAM (never swapped out). */
  boolean isLocked();

  /** Copies {@code length} bytes of {@code src} from {@code srcOffset} into this region at {@code offset}. */
  void write(int offset, byte[] src, int srcOffset, int length);

  /** Copies {@code length} bytes at {@code offset} into {@code dst} from {@code dstOffset}. */
  void read(int offset, byte[] dst, int dstOffset, int length);

  /** Zeroes and releases the region. Idempotent. */
  @Override
  void close();
}
