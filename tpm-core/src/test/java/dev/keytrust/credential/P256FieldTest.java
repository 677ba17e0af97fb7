package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The on-curve check's field arithmetic without BigInteger, against BigInteger. */
class P256FieldTest {
  static final BigInteger P = P256.P;

  static BigInteger big(long[] w) {
    BigInteger v = BigInteger.ZERO;
    for (int i = 7; i >= 0; i--) {
      v = v.shiftLeft(32).or(BigInteger.valueOf(w[i]));
    }
    return v;
  }

  static BigInteger below(Random r, BigInteger bound) {
    BigInteger v;
    do {
      v = new BigInteger(256, r);
    } while (v.compareTo(bound) >= 0);
    return v;
  }

  @Test
  void mulAddSubAgreeWithBigIntegerIncludingTheEdges() {
    Random r = new Random(0x5032_3536L);
    BigInteger[] edges = {BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO, P.subtract(BigInteger.ONE),
        P.subtract(BigInteger.TWO), BigInteger.ONE.shiftLeft(255), BigInteger.ONE.shiftLeft(224),
        BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE), P.shiftRight(1)};
    for (int i = 0; i < 20_000; i++) {
      BigInteger a = i < edges.length * edges.length ? edges[i % edges.length] : below(r, P);
      BigInteger b = i < edges.length * edges.length ? edges[i / edges.length] : below(r, P);
      long[] fa = P256.Field.fromBigInteger(a);
      long[] fb = P256.Field.fromBigInteger(b);
      assertThat(big(fa)).isEqualTo(a);
      assertThat(big(P256.Field.mul(fa, fb))).as("%s * %s", a, b).isEqualTo(a.multiply(b).mod(P));
      assertThat(big(P256.Field.add(fa, fb))).as("%s + %s", a, b).isEqualTo(a.add(b).mod(P));
      assertThat(big(P256.Field.sub(fa, fb))).as("%s - %s", a, b).isEqualTo(a.subtract(b).mod(P));
    }
  }

  static byte[] bytes(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  static boolean reference(BigInteger x, BigInteger y) {
    if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0) {
      return false;
    }
    return y.multiply(y).mod(P).equals(x.pow(3).subtract(x.multiply(BigInteger.valueOf(3))).add(P256.B).mod(P));
  }

  @Test
  void onCurveAgreesWithTheCurveEquationForPointsAndNonPoints() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    Random r = new Random(42);
    for (int i = 0; i < 300; i++) {
      ECPublicKey k = (ECPublicKey) g.generateKeyPair().getPublic();
      BigInteger x = k.getW().getAffineX();
      BigInteger y = k.getW().getAffineY();
      assertThat(P256.isOnCurve(bytes(x), bytes(y))).isTrue();
      assertThat(P256.isOnCurve(x, y)).isTrue();
      BigInteger y1 = y.add(BigInteger.ONE).mod(P);
      assertThat(P256.isOnCurve(bytes(x), bytes(y1))).isEqualTo(reference(x, y1)).isFalse();
      BigInteger rx = new BigInteger(256, r);
      BigInteger ry = new BigInteger(256, r);
      assertThat(P256.isOnCurve(bytes(rx), bytes(ry))).isEqualTo(reference(rx, ry));
    }
    assertThat(P256.isOnCurve(bytes(P256.GX), bytes(P256.GY))).isTrue();
    // a coordinate equal to p is not reduced: refused
    assertThat(P256.isOnCurve(bytes(P), bytes(P256.GY))).isFalse();
    assertThat(P256.isOnCurve(new byte[31], new byte[32])).isFalse();
  }
}
