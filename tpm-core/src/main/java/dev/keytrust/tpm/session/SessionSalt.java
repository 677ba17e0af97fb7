package dev.keytrust.tpm.session;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECMultiplier;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Curve;

/**
 * The salt of a salted session and its encryption to the session's tpmKey, the "secret sharing"
 * of TPM 2.0 Part 1 (Annex B.10.3 for RSA, Annex C.6.1 for ECC), with the label {@code SECRET}:
 *
 * <ul>
 *   <li>RSA: a random salt as long as the tpmKey's nameAlg digest, encrypted with RSAES-OAEP,
 *       hash and MGF1 hash = nameAlg, label {@code "SECRET\0"}.
 *   <li>ECC: an ephemeral key pair on the tpmKey's curve; Z = x(d_e * Q_tpmKey); salt =
 *       KDFe(nameAlg, Z, "SECRET", x(Q_e), x(Q_tpmKey), digest bits); the encrypted salt is the
 *       ephemeral public point as a TPMS_ECC_POINT.
 * </ul>
 *
 * Only the TPM holding the tpmKey's private key can recover the salt. {@link #close()} zeroes it.
 */
final class SessionSalt implements AutoCloseable {
  static final String LABEL = "SECRET";
  private static final int P256_BYTES = TpmtPublic.P256_BYTES;
  /**
   * secp256r1 with Bouncy Castle's dedicated field arithmetic, made directly: CustomNamedCurves
   * would load and set up every curve it knows (about 30 ms of CPU in a cold JVM).
   */
  private static final ECCurve CURVE = new SecP256R1Curve();
  /** The base point of SEC 2 2.4.2 / FIPS 186-4 D.1.2.3. */
  private static final ECPoint G = CURVE.createPoint(
      new BigInteger("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296", 16),
      new BigInteger("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5", 16));
  private static final BigInteger N = CURVE.getOrder();
  /**
   * Both multiplications by the secret d_e, d_e * G and d_e * Q_tpmKey, use Bouncy Castle's
   * fixed-point comb: the same sequence of point operations whatever d_e is, and table look-ups
   * that read every entry (as the JDK's SunEC, constant-time, did), where BC's default window NAF
   * adds at positions that depend on the scalar. Its table of a point's multiples is built at the
   * point's first use and kept on the point: on G, and on the last storage key's point (below).
   */
  private static final ECMultiplier COMB = new FixedPointCombMultiplier();

  /** The last storage key salted to, validated, with its comb table: its coordinates and point. */
  private record Srk(byte[] x, byte[] y, ECPoint point) {}

  private static volatile Srk lastSrk;

  static {
    if (!CURVE.getCofactor().equals(BigInteger.ONE) || !G.isValid()) {
      throw new ExceptionInInitializerError("Bouncy Castle's P-256 is not the curve keytrust expects");
    }
  }

  private final byte[] salt;
  private final byte[] encryptedSalt;

  private SessionSalt(byte[] salt, byte[] encryptedSalt) {
    this.salt = salt;
    this.encryptedSalt = encryptedSalt;
  }

  /** A fresh salt for {@code tpmKey} (RSA or ECC P-256). */
  static SessionSalt create(TpmtPublic tpmKey, SecureRandom random) throws KeytrustException {
    if (tpmKey.type() == TpmConstants.TPM_ALG_RSA) {
      byte[] salt = new byte[tpmKey.nameAlg().size()];
      random.nextBytes(salt);
      return rsa(tpmKey, salt, random);
    }
    if (tpmKey.type() == TpmConstants.TPM_ALG_ECC) {
      ECPoint srk = p256Point(tpmKey); // checked before anything random is drawn
      return ecc(tpmKey, srk, ephemeralScalar(random));
    }
    throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM, "A session salt needs an RSA or ECC key.");
  }

  /**
   * RSA secret sharing with a given salt (taken over: zeroed by {@link #close()}); {@code
   * oaepRandom} supplies the OAEP seed.
   */
  static SessionSalt rsa(TpmtPublic tpmKey, byte[] salt, SecureRandom oaepRandom) throws KeytrustException {
    try {
      String hash = tpmKey.nameAlg().jcaDigest();
      byte[] label = (LABEL + "\0").getBytes(StandardCharsets.US_ASCII);
      Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
      oaep.init(Cipher.ENCRYPT_MODE, tpmKey.jcaPublicKey(),
          new OAEPParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), new PSource.PSpecified(label)), oaepRandom);
      return new SessionSalt(salt, oaep.doFinal(salt));
    } catch (GeneralSecurityException e) {
      Arrays.fill(salt, (byte) 0);
      throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM,
          "The session salt cannot be encrypted to the storage root key (" + e.getClass().getSimpleName() + ").", e);
    }
  }

  /** ECC secret sharing with a given ephemeral private scalar d_e (1 &lt;= d_e &lt; n, P-256). */
  static SessionSalt ecc(TpmtPublic tpmKey, BigInteger ephemeral) throws KeytrustException {
    if (ephemeral.signum() <= 0 || ephemeral.compareTo(N) >= 0) {
      throw new IllegalArgumentException("the ephemeral scalar is not in [1, n-1]");
    }
    return ecc(tpmKey, p256Point(tpmKey), ephemeral);
  }

  /**
   * Q_e = d_e * G and Z = x(d_e * Q_tpmKey), with Bouncy Castle's lightweight P-256 arithmetic
   * (its dedicated field, fixed-point combs): several times faster warm than the JDK's SunEC
   * KeyPairGenerator and ECDH, which took about 3 ms per session, and no slower in a cold JVM
   * (measured figures in the commit that made this change). The JDK's ECDH also multiplies the peer point by the group order;
   * P-256 has cofactor 1, so every point on the curve other than infinity is in the prime-order
   * group, and {@link #p256Point}'s curve-equation check is the whole validation (SP 800-56A
   * 5.6.2.3.4, partial validation).
   */
  private static SessionSalt ecc(TpmtPublic tpmKey, ECPoint srk, BigInteger ephemeral) throws KeytrustException {
    byte[] encoded = new byte[1 + 2 * P256_BYTES];
    byte[] z = new byte[P256_BYTES];
    try {
      ECPoint qe = COMB.multiply(G, ephemeral).normalize();
      ECPoint shared = COMB.multiply(srk, ephemeral).normalize();
      if (qe.isInfinity() || shared.isInfinity()) {
        throw new KeytrustBugException("P-256 multiplication gave the point at infinity");
      }
      shared.getAffineXCoord().encodeTo(z, 0);
      qe.encodeTo(false, encoded, 0); // 04 || x || y
      byte[] qeX = Arrays.copyOfRange(encoded, 1, 1 + P256_BYTES);
      byte[] qeY = Arrays.copyOfRange(encoded, 1 + P256_BYTES, 1 + 2 * P256_BYTES);
      byte[] qsX = fixed(tpmKey.x());
      TpmHash h = tpmKey.nameAlg();
      byte[] salt = Kdf.kdfe(h, z, LABEL, qeX, qsX, 8 * h.size());
      byte[] point = new TpmMarshaller().tpm2b(qeX).tpm2b(qeY).toByteArray();
      return new SessionSalt(salt, point);
    } finally {
      // the arrays are zeroed; d_e (a BigInteger), the field elements inside Bouncy Castle's points
      // (Z's among them) and the BigInteger that encodeTo passes Z through are immutable and cannot
      // be: they are left to the garbage collector, as the JDK's SunEC leaves its own copies
      Arrays.fill(z, (byte) 0);
      Arrays.fill(encoded, (byte) 0);
    }
  }

  /**
   * The tpmKey's public point, refused unless it is on P-256: coordinates of at most 32 bytes and
   * below p, and y^2 = x^3 - 3x + b (so not the point at infinity, which has no affine form). The
   * point of the last key is kept (public data only) with its comb table, which the next salt to
   * the same storage key reuses: every operation of a process salts to the same SRK.
   */
  private static ECPoint p256Point(TpmtPublic tpmKey) throws KeytrustException {
    byte[] x = tpmKey.x();
    byte[] y = tpmKey.y();
    if (tpmKey.curveId() != TpmConstants.TPM_ECC_NIST_P256 || x.length > P256_BYTES || y.length > P256_BYTES) {
      throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM, "Only NIST P-256 ECC keys are supported here.");
    }
    Srk last = lastSrk;
    if (last != null && Arrays.equals(last.x(), x) && Arrays.equals(last.y(), y)) {
      return last.point();
    }
    ECPoint q;
    try {
      q = CURVE.createPoint(new BigInteger(1, x), new BigInteger(1, y));
    } catch (IllegalArgumentException e) { // a coordinate not below p
      q = null;
    }
    // isValid() checks the curve equation; it multiplies by the order only when the cofactor is not
    // 1, and P-256's is 1: every affine point on the curve is in the prime-order group
    if (q == null || q.isInfinity() || !q.isValid()) {
      throw new KeytrustException(CoreErrorCode.TPM_TRANSPORT,
          "The storage root key's public point is not on the P-256 curve: no session was salted to it.");
    }
    lastSrk = new Srk(x, y, q);
    return q;
  }

  /** A uniformly random d_e in [1, n-1], by rejection (a 256-bit draw is rejected with p ~ 2^-32). */
  private static BigInteger ephemeralScalar(SecureRandom random) {
    byte[] bytes = new byte[P256_BYTES];
    try {
      while (true) {
        random.nextBytes(bytes);
        BigInteger d = new BigInteger(1, bytes);
        if (d.signum() > 0 && d.compareTo(N) < 0) {
          return d;
        }
      }
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** A P-256 coordinate as 32 bytes, left-padded (the size the TPM uses for the curve). */
  private static byte[] fixed(byte[] v) {
    byte[] out = new byte[P256_BYTES];
    int n = Math.min(v.length, P256_BYTES);
    System.arraycopy(v, v.length - n, out, P256_BYTES - n, n);
    return out;
  }

  /** The salt itself (not a copy): read it, never keep or log it. */
  byte[] salt() {
    return salt;
  }

  /** The encryptedSalt parameter of TPM2_StartAuthSession (the TPM2B's contents). */
  byte[] encryptedSalt() {
    return encryptedSalt.clone();
  }

  @Override
  public void close() {
    Arrays.fill(salt, (byte) 0);
  }

  @Override
  public String toString() {
    return "SessionSalt[" + encryptedSalt.length + " B encrypted]";
  }
}
