package dev.keytrust.credential;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * An ECDSA P-256 public key from a BCRYPT_ECCKEY_BLOB (magic {@code ECS1}), the encoding keytrust
 * writes for P-256 keys. The point is on the curve (checked when parsed).
 *
 * @param encoded the entry's value as stored (copied)
 * @param x the affine X coordinate, 32 bytes big-endian (copied)
 * @param y the affine Y coordinate, 32 bytes big-endian (copied)
 */
public record EcKeyMaterial(byte[] encoded, byte[] x, byte[] y) implements KeyMaterial {

  /**
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if x or y is not 32 bytes or (x, y) is not a P-256 point
   */
  public EcKeyMaterial {
    Objects.requireNonNull(encoded, "encoded");
    checkPoint(x, y);
    encoded = encoded.clone();
    x = x.clone();
    y = y.clone();
  }

  static void checkPoint(byte[] x, byte[] y) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (x.length != P256.COORDINATE_BYTES || y.length != P256.COORDINATE_BYTES) {
      throw new IllegalArgumentException("P-256 coordinates are 32 bytes each");
    }
    if (!P256.isOnCurve(x, y)) {
      throw new IllegalArgumentException("the point is not on the P-256 curve");
    }
  }

  @Override
  public KeyMaterialFormat format() {
    return KeyMaterialFormat.BCRYPT_ECCKEY_BLOB;
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public int length() {
    return encoded.length;
  }

  @Override
  public byte[] x() {
    return x.clone();
  }

  @Override
  public byte[] y() {
    return y.clone();
  }

  /** Always {@code "EC"}. */
  public String algorithm() {
    return "EC";
  }

  /** Always {@code "P-256"}. */
  public String curve() {
    return "P-256";
  }

  /** Always 256. */
  public int keyBits() {
    return 256;
  }

  /**
   * The key as a JCA public key.
   *
   * @throws KeytrustException {@link CoreErrorCode#KEY_CREDENTIAL_UNSUPPORTED_KEY} when the JDK has no
   *     P-256 support
   */
  public ECPublicKey toPublicKey() throws KeytrustException {
    return EcKeys.p256PublicKey(x, y);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EcKeyMaterial e
        && Arrays.equals(encoded, e.encoded)
        && Arrays.equals(x, e.x)
        && Arrays.equals(y, e.y);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "EcKeyMaterial[" + format() + ", " + encoded.length + " bytes, P-256, x=" + Bytes.hex(x) + "]";
  }
}
