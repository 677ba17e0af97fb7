package dev.keytrust.credential;

import java.math.BigInteger;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;

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
    BigInteger left = y.multiply(y).mod(P);
    BigInteger right = x.multiply(x).multiply(x).add(A.multiply(x)).add(B).mod(P);
    return left.equals(right);
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
