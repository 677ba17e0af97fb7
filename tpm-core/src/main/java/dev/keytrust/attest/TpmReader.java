package dev.keytrust.attest;

import java.util.Arrays;

/**
 * A bounds-checked, big-endian cursor over one TPM structure (TPM 2.0 Part 2 marshalling): every
 * read past the end, every size that exceeds what remains, and trailing bytes are an {@link
 * AttestFormatException} naming the structure and the offset.
 */
final class TpmReader {
  private final byte[] data;
  private final String structure;
  private int pos;

  TpmReader(byte[] data, String structure) {
    this.data = data;
    this.structure = structure;
  }

  int position() {
    return pos;
  }

  AttestFormatException error(String what, int at) {
    return new AttestFormatException(structure, what, at);
  }

  AttestFormatException error(String what) {
    return error(what, pos);
  }

  private void need(int n, String field) throws AttestFormatException {
    if (n > data.length - pos) {
      throw error(field + " needs " + n + " bytes but only " + (data.length - pos) + " remain");
    }
  }

  int u8(String field) throws AttestFormatException {
    need(1, field);
    return data[pos++] & 0xFF;
  }

  int u16(String field) throws AttestFormatException {
    need(2, field);
    int v = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  /** An unsigned 32-bit value as a Java int (the bits, as TPM_ATTRIBUTES and magic numbers are). */
  int u32(String field) throws AttestFormatException {
    need(4, field);
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (data[pos + i] & 0xFF);
    }
    pos += 4;
    return v;
  }

  long u64(String field) throws AttestFormatException {
    need(8, field);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (data[pos + i] & 0xFF);
    }
    pos += 8;
    return v;
  }

  byte[] bytes(int n, String field) throws AttestFormatException {
    need(n, field);
    byte[] out = Arrays.copyOfRange(data, pos, pos + n);
    pos += n;
    return out;
  }

  /** A TPM2B: a 16-bit size, then that many bytes, the size at most {@code max}. */
  byte[] sized(String field, int max) throws AttestFormatException {
    int at = pos;
    int n = u16(field + " size");
    if (n > max) {
      throw error(field + " is " + n + " bytes, more than the " + max + " it may hold", at);
    }
    return bytes(n, field);
  }

  /** The structure ends here: anything after it is an error. */
  void end() throws AttestFormatException {
    if (pos != data.length) {
      throw error((data.length - pos) + " trailing bytes after the structure");
    }
  }
}
