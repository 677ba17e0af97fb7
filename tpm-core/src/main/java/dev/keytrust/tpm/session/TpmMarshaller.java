package dev.keytrust.tpm.session;

import java.util.Arrays;

/**
 * Writes TPM 2.0 canonical (big-endian) encodings: UINT8/16/32, raw bytes and TPM2B (a UINT16
 * size, then the bytes). The buffer may hold secrets before they are encrypted (an inSensitive):
 * {@link #wipe()} zeroes it, and growing zeroes the buffer it leaves behind.
 */
final class TpmMarshaller {
  private byte[] buf;
  private int len;

  TpmMarshaller() {
    this(128);
  }

  TpmMarshaller(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  TpmMarshaller u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  TpmMarshaller u16(int v) {
    if ((v & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("not a UINT16: " + v);
    }
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  TpmMarshaller u32(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  TpmMarshaller bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  TpmMarshaller bytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  /** A TPM2B: the size as UINT16, then the bytes. */
  TpmMarshaller tpm2b(byte[] b) {
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("a TPM2B holds at most 65535 bytes, not " + b.length);
    }
    return u16(b.length).bytes(b);
  }

  /** Bytes written so far. */
  int size() {
    return len;
  }

  /** A copy of what was written. */
  byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  /** Zeroes everything written; the marshaller is empty afterwards. */
  void wipe() {
    Arrays.fill(buf, (byte) 0);
    len = 0;
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      byte[] bigger = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      Arrays.fill(buf, (byte) 0);
      buf = bigger;
    }
  }
}
