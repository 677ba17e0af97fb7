package dev.keytrust.secret;

import java.util.Arrays;
import java.util.Objects;

/** The fallback: a heap array, zeroed on close, never locked. */
final class HeapSecretMemory implements SecretMemory {
  private final byte[] bytes;
  private boolean closed;

  HeapSecretMemory(int size) {
    this.bytes = new byte[size];
  }

  @Override
  public int size() {
    return bytes.length;
  }

  @Override
  public boolean isLocked() {
    return false;
  }

  @Override
  public synchronized void write(int offset, byte[] src, int srcOffset, int length) {
    Objects.requireNonNull(src, "src");
    Objects.checkFromIndexSize(srcOffset, length, src.length);
    Objects.checkFromIndexSize(offset, length, bytes.length);
    open();
    System.arraycopy(src, srcOffset, bytes, offset, length);
  }

  @Override
  public synchronized void read(int offset, byte[] dst, int dstOffset, int length) {
    Objects.requireNonNull(dst, "dst");
    Objects.checkFromIndexSize(dstOffset, length, dst.length);
    Objects.checkFromIndexSize(offset, length, bytes.length);
    open();
    System.arraycopy(bytes, offset, dst, dstOffset, length);
  }

  @Override
  public synchronized void close() {
    Arrays.fill(bytes, (byte) 0);
    closed = true;
  }

  /** The array itself, for tests that check it was zeroed. */
  byte[] array() {
    return bytes;
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("SecretBuffer is closed");
    }
  }

  @Override
  public synchronized String toString() {
    return "SecretBuffer[size=" + bytes.length + ", heap" + (closed ? ", closed" : "") + "]";
  }
}
