package dev.keytrust.credential;

import java.math.BigInteger;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.Arrays;

/** NIST P-256 (secp256r1) domain parameters, FIPS 186-4 D.1.2.3 / SEC 2 2.4.2. */
final class P256 {
  static final BigInteger P = hex("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
  static final BigInteger A = P.subtract(BigInteger.valueOf(3));
  static final BigInteger B = hex("5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B");
  static final BigInteger N = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
  static final BigInteger GX = hex("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296");
  static final BigInteger GY = hex("4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");
  static final int COORDINATE_BYTES = 32;

  private P256() {}

  private static BigInteger hex(String h) {
    return new BigInteger(h, 16);
  }

  /** True when (x, y) is an affine point of P-256 (coordinates reduced, curve equation holds). */
  static boolean isOnCurve(BigInteger x, BigInteger y) {
    if (x.signum() < 0 || y.signum() < 0 || x.compareTo(P) >= 0 || y.compareTo(P) >= 0) {
      return false;
    }
    return isOnCurve(Field.fromBigInteger(x), Field.fromBigInteger(y));
  }

  /**
   * {@link #isOnCurve(BigInteger, BigInteger)} of two 32-byte big-endian coordinates, without
   * BigInteger: y² = x³ − 3x + b in the field arithmetic of {@link Field}.
   */
  static boolean isOnCurve(byte[] x, byte[] y) {
    if (x.length != COORDINATE_BYTES || y.length != COORDINATE_BYTES) {
      return false;
    }
    long[] fx = Field.fromBytes(x);
    long[] fy = Field.fromBytes(y);
    return Field.reduced(fx) && Field.reduced(fy) && isOnCurve(fx, fy);
  }

  /**
   * y² = x·(x² − 3) + b: three multiplications, one subtraction, one addition, in three word arrays
   * and one product buffer (no array per operation).
   */
  private static boolean isOnCurve(long[] x, long[] y) {
    long[] product = new long[16];
    long[] left = new long[8];
    long[] right = new long[8];
    Field.mul(y, y, left, product);
    Field.mul(x, x, right, product);
    Field.sub(right, Field.THREE, right);
    Field.mul(x, right, right, product);
    Field.add(right, Field.B, right);
    return Arrays.equals(left, right);
  }

  /**
   * Arithmetic modulo p of P-256 on eight 32-bit words (least significant first, each held in a
   * long as an unsigned value), with the fast reduction of FIPS 186-4 D.2.3. Inputs and outputs of
   * {@link #mul}, {@link #add} and {@link #sub} are reduced (below p). Used only for the public
   * on-curve check of key material: the values are public, so no constant time is needed.
   */
  static final class Field {
    static final long MASK = 0xFFFFFFFFL;
    static final long[] PW = {MASK, MASK, MASK, 0, 0, 0, 1, MASK};
    static final long[] B = fromBigInteger(P256.B);
    static final long[] THREE = {3, 0, 0, 0, 0, 0, 0, 0};

    private Field() {}

    static long[] fromBytes(byte[] be) {
      long[] w = new long[8];
      for (int i = 0; i < 8; i++) {
        int o = 32 - 4 * (i + 1);
        w[i] = ((be[o] & 0xFFL) << 24) | ((be[o + 1] & 0xFFL) << 16) | ((be[o + 2] & 0xFFL) << 8) | (be[o + 3] & 0xFFL);
      }
      return w;
    }

    static long[] fromBigInteger(BigInteger v) {
      byte[] raw = v.toByteArray();
      byte[] be = new byte[32];
      int n = Math.min(raw.length, 32);
      System.arraycopy(raw, raw.length - n, be, 32 - n, n);
      return fromBytes(be);
    }

    /** True when the value is below p. */
    static boolean reduced(long[] a) {
      for (int i = 7; i >= 0; i--) {
        if (a[i] != PW[i]) {
          return a[i] < PW[i];
        }
      }
      return false; // equal to p
    }

    static long[] add(long[] a, long[] b) {
      long[] r = new long[8];
      add(a, b, r);
      return r;
    }

    /** {@code r = a + b}; {@code r} may be {@code a} or {@code b}. */
    static void add(long[] a, long[] b, long[] r) {
      long carry = 0;
      for (int i = 0; i < 8; i++) {
        long s = a[i] + b[i] + carry;
        r[i] = s & MASK;
        carry = s >>> 32;
      }
      normalize(r, carry);
    }

    static long[] sub(long[] a, long[] b) {
      long[] r = new long[8];
      sub(a, b, r);
      return r;
    }

    /** {@code r = a − b}; {@code r} may be {@code a} or {@code b}. */
    static void sub(long[] a, long[] b, long[] r) {
      long borrow = 0;
      for (int i = 0; i < 8; i++) {
        long s = a[i] - b[i] + borrow;
        r[i] = s & MASK;
        borrow = s >> 32;
      }
      normalize(r, borrow);
    }

    static long[] mul(long[] a, long[] b) {
      long[] r = new long[8];
      mul(a, b, r, new long[16]);
      return r;
    }

    /**
     * {@code r = a · b}, the 512-bit product in {@code c} (16 words, overwritten); {@code r} may be
     * {@code a} or {@code b} (both are read into {@code c} first).
     */
    static void mul(long[] a, long[] b, long[] r, long[] c) {
      Arrays.fill(c, 0);
      for (int i = 0; i < 8; i++) {
        long carry = 0;
        long ai = a[i];
        for (int j = 0; j < 8; j++) {
          // ai * b[j] + c[i + j] + carry < 2^64 as an unsigned value: the high word is exact
          long s = ai * b[j] + c[i + j] + carry;
          c[i + j] = s & MASK;
          carry = s >>> 32;
        }
        c[i + 8] = carry;
      }
      reduce(c, r);
    }

    /**
     * FIPS 186-4 D.2.3: t = s1 + 2s2 + 2s3 + s4 + s5 − d1 − d2 − d3 − d4 (mod p), from {@code c}
     * into {@code t}.
     */
    static void reduce(long[] c, long[] t) {
      t[0] = c[0] + c[8] + c[9] - c[11] - c[12] - c[13] - c[14];
      t[1] = c[1] + c[9] + c[10] - c[12] - c[13] - c[14] - c[15];
      t[2] = c[2] + c[10] + c[11] - c[13] - c[14] - c[15];
      t[3] = c[3] + 2 * c[11] + 2 * c[12] + c[13] - c[15] - c[8] - c[9];
      t[4] = c[4] + 2 * c[12] + 2 * c[13] + c[14] - c[9] - c[10];
      t[5] = c[5] + 2 * c[13] + 2 * c[14] + c[15] - c[10] - c[11];
      t[6] = c[6] + 3 * c[14] + 2 * c[15] + c[13] - c[8] - c[9];
      t[7] = c[7] + 3 * c[15] + c[8] - c[10] - c[11] - c[12] - c[13];
      long carry = 0;
      for (int i = 0; i < 8; i++) {
        long s = t[i] + carry;
        t[i] = s & MASK;
        carry = s >> 32; // signed: the sum of the terms may be negative
      }
      normalize(t, carry);
    }

    /** Brings {@code w + top·2^256} (top a small signed number) into [0, p). */
    private static void normalize(long[] w, long top) {
      while (top < 0) {
        top += addInPlace(w, PW);
      }
      while (top > 0 || !reduced(w)) {
        top -= subInPlace(w, PW);
      }
    }

    private static long addInPlace(long[] w, long[] v) {
      long carry = 0;
      for (int i = 0; i < 8; i++) {
        long s = w[i] + v[i] + carry;
        w[i] = s & MASK;
        carry = s >>> 32;
      }
      return carry;
    }

    private static long subInPlace(long[] w, long[] v) {
      long borrow = 0;
      for (int i = 0; i < 8; i++) {
        long s = w[i] - v[i] - borrow;
        w[i] = s & MASK;
        borrow = (s >> 32) & 1;
      }
      return borrow;
    }
  }

  /** True when the JCA parameters are exactly P-256 (not merely some other 256-bit curve). */
  static boolean is(ECParameterSpec spec) {
    if (!(spec.getCurve().getField() instanceof ECFieldFp field)) {
      return false;
    }
    ECPoint g = spec.getGenerator();
    return field.getP().equals(P)
        && spec.getCurve().getA().equals(A)
        && spec.getCurve().getB().equals(B)
        && spec.getOrder().equals(N)
        && g.getAffineX().equals(GX)
        && g.getAffineY().equals(GY)
        && spec.getCofactor() == 1;
  }
}
