package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/**
 * Key ids as Windows computes them: SHA-256 over the public key's BCRYPT blob, the same bytes
 * that become the KeyMaterial of a KeyCredentialLink (MS-ADTS 2.2.20).
 *
 * <ul>
 *   <li>RSA: BCRYPT_RSAKEY_BLOB, magic {@code RSA1} (0x31415352 LE), BitLength, cbPublicExp,
 *       cbModulus, cbPrime1=0, cbPrime2=0 (uint32 LE), then exponent and modulus big-endian.
 *   <li>ECC P-256: BCRYPT_ECCKEY_BLOB, magic {@code ECS1} (BCRYPT_ECDSA_PUBLIC_P256_MAGIC,
 *       0x31534345 LE), cbKey=32 (uint32 LE), then X and Y, 32 bytes each, big-endian.
 * </ul>
 */
public final class KeyIds {
  static final int BCRYPT_RSAPUBLIC_MAGIC = 0x31415352;
  static final int BCRYPT_ECDSA_PUBLIC_P256_MAGIC = 0x31534345;

  private KeyIds() {}

  /** The BCRYPT public key blob of an RSA or P-256 public key. */
  public static byte[] bcryptPublicBlob(PublicKey key) throws KeytrustException {
    if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      int modLen = (bits + 7) / 8;
      byte[] e = unsigned(rsa.getPublicExponent(), 0);
      byte[] n = unsigned(rsa.getModulus(), modLen);
      ByteBuffer b = ByteBuffer.allocate(24 + e.length + n.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(BCRYPT_RSAPUBLIC_MAGIC).putInt(bits).putInt(e.length).putInt(n.length).putInt(0).putInt(0);
      b.put(e).put(n);
      return b.array();
    }
    if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
      ByteBuffer b = ByteBuffer.allocate(8 + 64).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(BCRYPT_ECDSA_PUBLIC_P256_MAGIC).putInt(32);
      b.put(unsigned(ec.getW().getAffineX(), 32)).put(unsigned(ec.getW().getAffineY(), 32));
      return b.array();
    }
    throw new KeytrustException(
        CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM,
        "Only RSA and ECC P-256 public keys have a key id here, not " + key.getAlgorithm() + ".");
  }

  /** SHA-256 of {@link #bcryptPublicBlob(PublicKey)}. */
  public static byte[] keyId(PublicKey key) throws KeytrustException {
    return sha256(bcryptPublicBlob(key));
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new dev.keytrust.error.KeytrustBugException("SHA-256 missing from the JDK", e);
    }
  }

  /** Big-endian magnitude without a sign byte; left-padded to {@code len} when len > 0. */
  static byte[] unsigned(BigInteger v, int len) {
    byte[] raw = v.toByteArray();
    int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
    int n = raw.length - start;
    if (len <= 0) {
      len = n;
    }
    if (n > len) {
      throw new IllegalArgumentException("value needs " + n + " bytes, more than " + len);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(len);
    for (int i = n; i < len; i++) {
      out.write(0);
    }
    out.write(raw, start, n);
    return out.toByteArray();
  }
}
