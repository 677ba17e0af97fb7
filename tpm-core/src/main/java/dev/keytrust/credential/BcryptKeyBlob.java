package dev.keytrust.credential;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.Sha256;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * A public key as Windows' BCRYPT blob (bcrypt.h), the one codec keytrust has for it: the
 * KeyMaterial Windows Hello writes into msDS-KeyCredentialLink, what the DRS-style key service
 * takes, and what key ids hash.
 *
 * <ul>
 *   <li>RSA: BCRYPT_RSAKEY_BLOB, magic {@code RSA1} (0x31415352 LE), BitLength, cbPublicExp,
 *       cbModulus, cbPrime1 = 0, cbPrime2 = 0 (uint32 LE), then exponent and modulus big-endian.
 *   <li>ECC P-256: BCRYPT_ECCKEY_BLOB, magic {@code ECS1} (BCRYPT_ECDSA_PUBLIC_P256_MAGIC,
 *       0x31534345 LE), cbKey = 32 (uint32 LE), then X and Y, 32 bytes each, big-endian.
 * </ul>
 *
 * <p>The key id is SHA-256 of the blob, as Windows computes it ({@link #keyId()}). Encoding writes
 * the minimal exponent, as Windows does. Parsing is strict: every length checked, trailing bytes
 * and primes refused, the P-256 point on the curve. Immutable.
 */
public final class BcryptKeyBlob {
  static final int RSA1_MAGIC = 0x31415352;
  static final int ECS1_MAGIC = 0x31534345;
  /** The header of a BCRYPT_RSAKEY_BLOB: six uint32. */
  static final int RSA_HEADER = 24;

  private final byte[] encoded;
  private final BigInteger modulus; // RSA, else null
  private final BigInteger exponent;
  private final byte[] x; // P-256, else null
  private final byte[] y;

  private BcryptKeyBlob(byte[] encoded, BigInteger modulus, BigInteger exponent, byte[] x, byte[] y) {
    this.encoded = encoded;
    this.modulus = modulus;
    this.exponent = exponent;
    this.x = x;
    this.y = y;
  }

  /**
   * The blob of an RSA or P-256 public key.
   *
   * @throws KeytrustException KEY_CREDENTIAL_UNSUPPORTED_KEY for other keys
   */
  public static BcryptKeyBlob of(PublicKey key) throws KeytrustException {
    Objects.requireNonNull(key, "key");
    if (key instanceof RSAPublicKey rsa && rsa.getModulus().signum() > 0 && rsa.getPublicExponent().signum() > 0) {
      int bits = rsa.getModulus().bitLength();
      byte[] e = Bytes.unsigned(rsa.getPublicExponent(), 0);
      byte[] n = Bytes.unsigned(rsa.getModulus(), (bits + 7) / 8);
      ByteBuffer b = ByteBuffer.allocate(RSA_HEADER + e.length + n.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(RSA1_MAGIC).putInt(bits).putInt(e.length).putInt(n.length).putInt(0).putInt(0);
      b.put(e).put(n);
      return new BcryptKeyBlob(b.array(), rsa.getModulus(), rsa.getPublicExponent(), null, null);
    }
    if (key instanceof ECPublicKey ec && P256.is(ec.getParams())) {
      byte[] px = Bytes.unsigned(ec.getW().getAffineX(), P256.COORDINATE_BYTES);
      byte[] py = Bytes.unsigned(ec.getW().getAffineY(), P256.COORDINATE_BYTES);
      ByteBuffer b = ByteBuffer.allocate(8 + 2 * P256.COORDINATE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(ECS1_MAGIC).putInt(P256.COORDINATE_BYTES).put(px).put(py);
      return new BcryptKeyBlob(b.array(), null, null, px, py);
    }
    throw new KeytrustException(CoreErrorCode.KEY_CREDENTIAL_UNSUPPORTED_KEY,
        "A BCRYPT key blob holds an RSA or an EC P-256 public key, not " + key.getAlgorithm()
            + (key instanceof ECPublicKey ? " on another curve" : "") + ": use an RSA 2048 or P-256 key.");
  }

  /** SHA-256 of the public key's blob: its key id as Windows computes it. */
  public static byte[] keyId(PublicKey key) throws KeytrustException {
    return of(key).keyId();
  }

  /**
   * Reads a BCRYPT_RSAKEY_BLOB ({@code RSA1}) or BCRYPT_ECCKEY_BLOB ({@code ECS1}, P-256).
   *
   * @throws KeyCredentialFormatException KEY_CREDENTIAL_MALFORMED (bad input) with the byte offset
   *     where reading stopped, when the bytes are neither
   */
  public static BcryptKeyBlob parse(byte[] blob) throws KeyCredentialFormatException {
    Objects.requireNonNull(blob, "blob");
    ByteReader r = reader(blob);
    try {
      return read(blob, r, true);
    } catch (StructureException e) {
      throw new KeyCredentialFormatException(CoreErrorCode.KEY_CREDENTIAL_MALFORMED,
          "Malformed BCRYPT key blob at byte " + r.position() + ": " + e.getMessage() + ".", r.position());
    }
  }

  /**
   * {@link #parse} for the codec's own readers ({@link KeyMaterials}), which report a failure as
   * their own kind. The result is a transient view: it shares {@code blob} (not copied) and a
   * P-256 point is not checked here, because the {@link EcKeyMaterial} the reader makes of it
   * checks it (once, not twice: see {@link KeyMaterials#bcryptEcc}).
   */
  static BcryptKeyBlob decode(byte[] blob) throws StructureException {
    return read(blob, reader(blob), false);
  }

  /** A reader past the magic, named after the blob the magic announces. */
  private static ByteReader reader(byte[] blob) {
    int magic = blob.length < 4 ? 0 : ByteBuffer.wrap(blob, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    String what = magic == RSA1_MAGIC ? "BCRYPT_RSAKEY_BLOB" : magic == ECS1_MAGIC ? "BCRYPT_ECCKEY_BLOB" : "BCRYPT key blob";
    return new ByteReader(blob, Math.min(4, blob.length), what);
  }

  /**
   * @param owned true for {@link #parse}: the result keeps a copy of {@code blob} and the P-256
   *     point is checked; false for {@link #decode}
   */
  private static BcryptKeyBlob read(byte[] blob, ByteReader r, boolean owned) throws StructureException {
    if (blob.length < 4) {
      throw new StructureException("BCRYPT key blob: shorter than its 4-byte magic");
    }
    int magic = ByteBuffer.wrap(blob, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (magic == RSA1_MAGIC) {
      long bitLength = r.u32le("BitLength");
      int cbExp = r.lengthU32le("cbPublicExp");
      int cbMod = r.lengthU32le("cbModulus");
      long cbPrime1 = r.u32le("cbPrime1");
      long cbPrime2 = r.u32le("cbPrime2");
      if (cbPrime1 != 0 || cbPrime2 != 0) {
        throw new StructureException("BCRYPT_RSAKEY_BLOB: a public key blob has cbPrime1 = cbPrime2 = 0");
      }
      if (cbExp == 0 || cbMod == 0) {
        throw new StructureException("BCRYPT_RSAKEY_BLOB: empty exponent or modulus");
      }
      if ((bitLength + 7) / 8 != cbMod) {
        throw new StructureException(
            "BCRYPT_RSAKEY_BLOB: BitLength " + bitLength + " does not match cbModulus " + cbMod);
      }
      BigInteger e = new BigInteger(1, r.bytes(cbExp, "exponent"));
      BigInteger n = new BigInteger(1, r.bytes(cbMod, "modulus"));
      r.expectEnd();
      if (n.signum() == 0 || e.signum() == 0) {
        throw new StructureException("BCRYPT_RSAKEY_BLOB: zero modulus or exponent");
      }
      if (n.bitLength() > bitLength) {
        throw new StructureException("BCRYPT_RSAKEY_BLOB: the modulus has " + n.bitLength()
            + " bits, more than the declared " + bitLength);
      }
      return new BcryptKeyBlob(owned ? blob.clone() : blob, n, e, null, null);
    }
    if (magic == ECS1_MAGIC) {
      long cbKey = r.u32le("cbKey");
      if (cbKey != P256.COORDINATE_BYTES) {
        throw new StructureException("BCRYPT_ECCKEY_BLOB: cbKey " + cbKey + " is not 32 for P-256");
      }
      byte[] px = r.bytes(P256.COORDINATE_BYTES, "X");
      byte[] py = r.bytes(P256.COORDINATE_BYTES, "Y");
      r.expectEnd();
      if (owned && !P256.isOnCurve(px, py)) {
        throw notOnCurve();
      }
      return new BcryptKeyBlob(owned ? blob.clone() : blob, null, null, px, py);
    }
    throw new StructureException(String.format("the magic 0x%08X is neither RSA1 nor ECS1", magic));
  }

  static StructureException notOnCurve() {
    return new StructureException("BCRYPT_ECCKEY_BLOB: the point is not on the P-256 curve");
  }

  /** The blob's bytes. */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** SHA-256 of the blob. */
  public byte[] keyId() {
    return Sha256.of(encoded);
  }

  /** True for an RSA key ({@code RSA1}), false for P-256 ({@code ECS1}). */
  public boolean isRsa() {
    return modulus != null;
  }

  /** The key size: the RSA modulus's bit length, or 256. */
  public int bitLength() {
    return isRsa() ? modulus.bitLength() : 256;
  }

  /** The RSA public exponent; for an RSA blob only. */
  public BigInteger rsaExponent() {
    requireRsa();
    return exponent;
  }

  /** The RSA modulus; for an RSA blob only. */
  public BigInteger rsaModulus() {
    requireRsa();
    return modulus;
  }

  /** The P-256 point's X coordinate (32 bytes); for a P-256 blob only. */
  byte[] x() {
    return x.clone();
  }

  /** The P-256 point's Y coordinate (32 bytes); for a P-256 blob only. */
  byte[] y() {
    return y.clone();
  }

  /** {@link #x()} without the copy, for {@link KeyMaterials}, which hands it to a record that copies it. */
  byte[] xUnsafe() {
    return x;
  }

  /** {@link #y()} without the copy. */
  byte[] yUnsafe() {
    return y;
  }

  /**
   * The public key as a JCA key.
   *
   * @throws KeytrustException KEY_CREDENTIAL_UNSUPPORTED_KEY when the JDK refuses it
   */
  public PublicKey toPublicKey() throws KeytrustException {
    if (!isRsa()) {
      return EcKeys.p256PublicKey(x, y);
    }
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
    } catch (GeneralSecurityException e) {
      throw new KeytrustException(CoreErrorCode.KEY_CREDENTIAL_UNSUPPORTED_KEY,
          "The JDK refuses the RSA key of the BCRYPT blob (" + e.getMessage() + ").",
          e);
    }
  }

  private void requireRsa() {
    if (!isRsa()) {
      throw new IllegalStateException("a P-256 blob has no RSA parameters");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BcryptKeyBlob other && Arrays.equals(encoded, other.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "BcryptKeyBlob[" + (isRsa() ? "RSA1, " + bitLength() + " bits" : "ECS1, P-256") + "]";
  }
}
