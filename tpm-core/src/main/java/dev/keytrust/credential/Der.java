package dev.keytrust.credential;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;

/** Just enough strict DER (X.690) for PKCS#1 RSAPublicKey: SEQUENCE and INTEGER. */
final class Der {
  static final int TAG_INTEGER = 0x02;
  static final int TAG_SEQUENCE = 0x30;

  private Der() {}

  /** Reads DER elements from {@code data[start, end)}. */
  static final class Reader {
    private final byte[] data;
    private final int end;
    private final String what;
    private int pos;

    Reader(byte[] data, int start, int end, String what) {
      this.data = data;
      this.pos = start;
      this.end = end;
      this.what = what;
    }

    private StructureException error(String msg) {
      return new StructureException(what + ": " + msg + " at offset " + pos);
    }

    /** Reads tag and definite, minimally encoded length; returns the content length. */
    private int header(int expectedTag, String field) throws StructureException {
      if (pos >= end) {
        throw error(field + " missing");
      }
      int tag = data[pos] & 0xFF;
      if (tag != expectedTag) {
        throw error(String.format("%s: tag 0x%02X, expected 0x%02X", field, tag, expectedTag));
      }
      pos++;
      if (pos >= end) {
        throw error(field + ": length missing");
      }
      int first = data[pos++] & 0xFF;
      long len;
      if (first < 0x80) {
        len = first;
      } else {
        int n = first & 0x7F;
        if (n == 0 || n > 4) {
          throw error(field + ": unsupported length encoding");
        }
        if (n > end - pos) {
          throw error(field + ": length truncated");
        }
        len = 0;
        for (int i = 0; i < n; i++) {
          len = (len << 8) | (data[pos++] & 0xFF);
        }
        if (len < 0x80 || len < (1L << (8 * (n - 1)))) {
          throw error(field + ": length not minimally encoded");
        }
      }
      if (len > end - pos) {
        throw error(field + ": length " + len + " exceeds the remaining " + (end - pos) + " bytes");
      }
      return (int) len;
    }

    Reader sequence() throws StructureException {
      int len = header(TAG_SEQUENCE, "SEQUENCE");
      Reader inner = new Reader(data, pos, pos + len, what);
      pos += len;
      return inner;
    }

    BigInteger positiveInteger(String field) throws StructureException {
      int len = header(TAG_INTEGER, field);
      if (len == 0) {
        throw error(field + ": empty INTEGER");
      }
      if ((data[pos] & 0x80) != 0) {
        throw error(field + ": negative INTEGER");
      }
      if (len > 1 && data[pos] == 0 && (data[pos + 1] & 0x80) == 0) {
        throw error(field + ": INTEGER not minimally encoded");
      }
      byte[] content = new byte[len];
      System.arraycopy(data, pos, content, 0, len);
      pos += len;
      BigInteger v = new BigInteger(content);
      if (v.signum() == 0) {
        throw error(field + ": zero");
      }
      return v;
    }

    void expectEnd() throws StructureException {
      if (pos != end) {
        throw error((end - pos) + " unexpected trailing bytes");
      }
    }
  }

  /** DER RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
  static byte[] rsaPublicKey(BigInteger n, BigInteger e) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    element(body, TAG_INTEGER, n.toByteArray());
    element(body, TAG_INTEGER, e.toByteArray());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    element(out, TAG_SEQUENCE, body.toByteArray());
    return out.toByteArray();
  }

  private static void element(ByteArrayOutputStream out, int tag, byte[] content) {
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      int n = (32 - Integer.numberOfLeadingZeros(len) + 7) / 8;
      out.write(0x80 | n);
      for (int i = n - 1; i >= 0; i--) {
        out.write(len >>> (8 * i));
      }
    }
    out.write(content, 0, content.length);
  }
}
