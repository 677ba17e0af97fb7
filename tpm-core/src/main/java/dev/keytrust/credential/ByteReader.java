package dev.keytrust.credential;

import java.util.Arrays;

/** A bounds-checked cursor over a byte array; every read past the end is a {@link StructureException}. */
final class ByteReader {
  private final byte[] data;
  private final String what;
  private int pos;

  ByteReader(byte[] data, int start, String what) {
    this.data = data;
    this.pos = start;
    this.what = what;
  }

  int position() {
    return pos;
  }

  int remaining() {
    return data.length - pos;
  }

  boolean atEnd() {
    return pos == data.length;
  }

  private void need(int n, String field) throws StructureException {
    if (n < 0 || n > data.length - pos) {
      throw new StructureException(
          what + ": " + field + " needs " + n + " bytes at offset " + pos + " but only "
              + (data.length - pos) + " remain");
    }
  }

  int u8(String field) throws StructureException {
    need(1, field);
    return data[pos++] & 0xFF;
  }

  int u16be(String field) throws StructureException {
    need(2, field);
    int v = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  /** Unsigned 32-bit big-endian as a long. */
  long u32be(String field) throws StructureException {
    need(4, field);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (data[pos + i] & 0xFF);
    }
    pos += 4;
    return v;
  }

  /** Unsigned 32-bit little-endian as a long. */
  long u32le(String field) throws StructureException {
    need(4, field);
    long v = 0;
    for (int i = 3; i >= 0; i--) {
      v = (v << 8) | (data[pos + i] & 0xFF);
    }
    pos += 4;
    return v;
  }

  /** A length read as unsigned 32-bit LE that must fit what remains. */
  int lengthU32le(String field) throws StructureException {
    long v = u32le(field);
    if (v > remaining()) {
      throw new StructureException(
          what + ": " + field + " is " + v + " but only " + remaining() + " bytes remain");
    }
    return (int) v;
  }

  byte[] bytes(int n, String field) throws StructureException {
    need(n, field);
    byte[] out = Arrays.copyOfRange(data, pos, pos + n);
    pos += n;
    return out;
  }

  void skip(int n, String field) throws StructureException {
    need(n, field);
    pos += n;
  }

  void expectEnd() throws StructureException {
    if (!atEnd()) {
      throw new StructureException(what + ": " + remaining() + " unexpected bytes after offset " + pos);
    }
  }
}
