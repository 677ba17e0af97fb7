package dev.keytrust.credential;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;

/** Small byte helpers shared by the codec. */
final class Bytes {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private Bytes() {}

  static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  /** Big-endian magnitude of a non-negative value, left-padded with zeros to at least {@code len}. */
  static byte[] unsigned(BigInteger v, int len) {
    byte[] raw = v.toByteArray();
    int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
    int n = raw.length - start;
    byte[] out = new byte[Math.max(n, len)];
    System.arraycopy(raw, start, out, out.length - n, n);
    return out;
  }

  static long readInt64le(byte[] b, int off) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  static byte[] int64le(long v) {
    byte[] out = new byte[8];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (v >>> (8 * i));
    }
    return out;
  }

  static boolean startsWith(byte[] b, byte[] prefix) {
    return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
  }
}
