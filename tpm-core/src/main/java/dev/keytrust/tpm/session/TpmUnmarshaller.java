package dev.keytrust.tpm.session;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.util.Arrays;

/**
 * Reads TPM 2.0 canonical encodings strictly: every read is bounds-checked, every TPM2B size is
 * checked against the bytes left and against the largest value its type allows, and {@link
 * #finish()} refuses bytes left over. A failure is a {@code TPM_TRANSPORT} error naming {@code
 * what} was being read; it quotes no content.
 */
final class TpmUnmarshaller {
  private final byte[] data;
  private final int end;
  private final String what;
  private int pos;

  /** Reads all of {@code data} (not copied: the caller keeps it unchanged while reading). */
  TpmUnmarshaller(byte[] data, String what) {
    this(data, 0, data.length, what);
  }

  private TpmUnmarshaller(byte[] data, int from, int end, String what) {
    this.data = data;
    this.pos = from;
    this.end = end;
    this.what = what;
  }

  int u8() throws KeytrustException {
    need(1, "a UINT8");
    return data[pos++] & 0xFF;
  }

  int u16() throws KeytrustException {
    need(2, "a UINT16");
    int v = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  int u32() throws KeytrustException {
    need(4, "a UINT32");
    int v = ((data[pos] & 0xFF) << 24) | ((data[pos + 1] & 0xFF) << 16) | ((data[pos + 2] & 0xFF) << 8)
        | (data[pos + 3] & 0xFF);
    pos += 4;
    return v;
  }

  byte[] bytes(int n) throws KeytrustException {
    if (n < 0) {
      throw malformed("a negative length");
    }
    if (end - pos < n) {
      throw endsBefore(n + " bytes");
    }
    byte[] out = Arrays.copyOfRange(data, pos, pos + n);
    pos += n;
    return out;
  }

  /** A TPM2B whose size may be at most {@code max}. */
  byte[] tpm2b(int max, String field) throws KeytrustException {
    int size = u16();
    if (size > max) {
      throw malformed(field + " of " + size + " bytes (at most " + max + " allowed)");
    }
    if (end - pos < size) { // the message built only when it is needed: this runs for every TPM2B
      throw endsBefore(field + " of " + size + " bytes");
    }
    return bytes(size);
  }

  /** A reader over the next {@code n} bytes, which this reader skips. */
  TpmUnmarshaller sub(int n, String subWhat) throws KeytrustException {
    if (n < 0) {
      throw malformed("a negative length");
    }
    if (end - pos < n) {
      throw endsBefore(subWhat + " of " + n + " bytes");
    }
    TpmUnmarshaller r = new TpmUnmarshaller(data, pos, pos + n, what + " (" + subWhat + ")");
    pos += n;
    return r;
  }

  /** The offset of the next byte within the array given at construction. */
  int position() {
    return pos;
  }

  int remaining() {
    return end - pos;
  }

  /** Refuses bytes left over. */
  void finish() throws KeytrustException {
    if (pos != end) {
      throw malformed((end - pos) + " trailing bytes");
    }
  }

  private void need(int n, String field) throws KeytrustException {
    if (end - pos < n) {
      throw endsBefore(field);
    }
  }

  private KeytrustException endsBefore(String field) {
    return malformed("it ends before " + field + " (" + (end - pos) + " bytes left)");
  }

  KeytrustException malformed(String why) {
    return new KeytrustException(
        CoreErrorCode.TPM_TRANSPORT,
        what + " is malformed: " + why + ". The TPM, its driver or something between keytrust and the TPM "
            + "returned bytes that are not a valid TPM 2.0 structure; nothing from it was used.");
  }
}
