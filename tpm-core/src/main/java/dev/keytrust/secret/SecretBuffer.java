package dev.keytrust.secret;

import java.util.Arrays;
import java.util.Objects;

/**
 * Secret bytes (PIN bytes, auth values, derived keys, decrypted private keys) held where the
 * platform protects them best, and zeroed when closed.
 *
 * <p>With the {@code keytrust-native} module on the class path, buffers are native memory outside
 * the Java heap (which the garbage collector copies around), locked in RAM so they are never
 * swapped ({@code mlock} on Linux, {@code VirtualLock} on Windows), and on Linux kept out of core
 * dumps. Without it, or where locking is refused, they are ordinary heap arrays and one warning is
 * logged; {@link #isLocked()} tells which.
 *
 * <p>Reading the bytes takes a {@link SecretAccess} ({@link InsecureSecretAccess#get()}), so every
 * place that reads a secret says so. Writing does not.
 *
 * <p><b>What this does not cover.</b> The JDK, Bouncy Castle and TSS.Java take secrets as Java
 * arrays, so every use hands them a short-lived heap copy ({@link #withCopy}) that keytrust zeroes
 * as soon as the call returns. Copies those libraries make inside ({@code SecretKeySpec}, {@code
 * PKCS8EncodedKeySpec}, JCA {@code PrivateKey} objects, digest and cipher state, TSS.Java's command
 * buffers) cannot be zeroed by keytrust and stay in the heap until collected. A locked buffer keeps
 * the copy keytrust owns out of swap and dumps between those calls, nothing more.
 *
 * <p>Thread safe. {@code toString} prints only the size and lock state; {@code equals} is
 * identity. Every use after {@link #close()} fails with {@link IllegalStateException}.
 */
public final class SecretBuffer implements AutoCloseable {
  private final SecretMemory memory;

  private SecretBuffer(SecretMemory memory) {
    this.memory = memory;
  }

  /**
   * A zeroed buffer of {@code size} bytes from the installed {@link SecretBufferProvider}, or from
   * the heap (with one warning per process) when there is none.
   */
  public static SecretBuffer allocate(int size) {
    return new SecretBuffer(SecretBuffers.DEFAULT.allocate(size));
  }

  /**
   * A buffer holding a copy of {@code src} (at least one byte); the caller still owns and wipes
   * {@code src}.
   */
  public static SecretBuffer copyOf(byte[] src) {
    Objects.requireNonNull(src, "src");
    SecretBuffer b = allocate(src.length);
    b.write(0, src, 0, src.length);
    return b;
  }

  /** Moves {@code src} into a new buffer and zeroes {@code src}: for results libraries return. */
  public static SecretBuffer moveFrom(byte[] src) {
    try {
      return copyOf(src);
    } finally {
      Arrays.fill(src, (byte) 0);
    }
  }

  /** The usable size in bytes. */
  public int size() {
    return memory.size();
  }

  /** True when the bytes are locked in RAM (never swapped out). */
  public boolean isLocked() {
    return memory.isLocked();
  }

  /** Copies {@code length} bytes of {@code src} from {@code srcOffset} into this buffer at {@code offset}. */
  public void write(int offset, byte[] src, int srcOffset, int length) {
    memory.write(offset, src, srcOffset, length);
  }

  /** A heap copy of all bytes that the caller must zero after use; prefer {@link #withCopy}. */
  public byte[] copy(SecretAccess access) {
    Objects.requireNonNull(access, "access");
    byte[] out = new byte[size()];
    memory.read(0, out, 0, out.length);
    return out;
  }

  /**
   * Runs {@code use} on a heap copy of all bytes and zeroes that copy when it returns or throws:
   * for APIs that take a {@code byte[]}. {@code use} must not keep the array.
   */
  public <T, E extends Exception> T withCopy(SecretAccess access, SecretFunction<T, E> use) throws E {
    byte[] copy = copy(access);
    try {
      return use.apply(copy);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /** Zeroes and releases the buffer. Idempotent. */
  @Override
  public void close() {
    memory.close();
  }

  @Override
  public String toString() {
    return memory.toString();
  }

  /** What {@link #withCopy} runs: a function of the secret bytes that may throw {@code E}. */
  @FunctionalInterface
  public interface SecretFunction<T, E extends Exception> {
    T apply(byte[] secret) throws E;
  }
}
