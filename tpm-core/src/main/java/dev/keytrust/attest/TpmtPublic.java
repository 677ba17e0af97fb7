package dev.keytrust.attest;

import static dev.keytrust.attest.TpmAlgorithms.*;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;

/**
 * TPMT_PUBLIC (TPM 2.0 Part 2, §12.2.4) of an RSA or ECC key, parsed strictly: every size checked,
 * reserved attribute bits refused, the unique field's size bound to the key size or curve, no
 * trailing bytes. Keeps the exact bytes ({@link #rawBytes()}) for the Name. Immutable.
 *
 * <p>Only {@code TPM_ALG_RSA} and {@code TPM_ALG_ECC} objects are accepted (what can be
 * certified as a signing key or be an EK); KEYEDHASH and SYMCIPHER objects are refused as
 * unsupported.
 */
public final class TpmtPublic {
  static final String STRUCTURE = "TPMT_PUBLIC";
  /** TPM2B_DIGEST's largest buffer (SHA-512). */
  static final int MAX_DIGEST = 64;
  /** TPM2B_PUBLIC_KEY_RSA's largest buffer (MAX_RSA_KEY_BYTES of a 4096-bit TPM). */
  static final int MAX_RSA_KEY_BYTES = 512;

  private final byte[] raw;
  private final int type;
  private final int nameAlg;
  private final TpmaObject objectAttributes;
  private final byte[] authPolicy;
  private final int symmetricAlg;
  private final int symmetricKeyBits;
  private final int symmetricMode;
  private final int schemeAlg;
  private final int schemeHashAlg;
  private final int keyBits; // RSA
  private final int exponent; // RSA, 0 = 65537
  private final int curveId; // ECC
  private final int kdfAlg; // ECC
  private final int kdfHashAlg; // ECC
  private final byte[] uniqueA; // RSA modulus or ECC x
  private final byte[] uniqueB; // ECC y, empty for RSA

  private TpmtPublic(byte[] raw, int type, int nameAlg, TpmaObject objectAttributes, byte[] authPolicy,
      int symmetricAlg, int symmetricKeyBits, int symmetricMode, int schemeAlg, int schemeHashAlg, int keyBits,
      int exponent, int curveId, int kdfAlg, int kdfHashAlg, byte[] uniqueA, byte[] uniqueB) {
    this.raw = raw;
    this.type = type;
    this.nameAlg = nameAlg;
    this.objectAttributes = objectAttributes;
    this.authPolicy = authPolicy;
    this.symmetricAlg = symmetricAlg;
    this.symmetricKeyBits = symmetricKeyBits;
    this.symmetricMode = symmetricMode;
    this.schemeAlg = schemeAlg;
    this.schemeHashAlg = schemeHashAlg;
    this.keyBits = keyBits;
    this.exponent = exponent;
    this.curveId = curveId;
    this.kdfAlg = kdfAlg;
    this.kdfHashAlg = kdfHashAlg;
    this.uniqueA = uniqueA;
    this.uniqueB = uniqueB;
  }

  /**
   * Parses a TPMT_PUBLIC (without the TPM2B_PUBLIC size prefix).
   *
   * @throws AttestFormatException with the offset where it goes wrong
   */
  public static TpmtPublic parse(byte[] data) throws AttestFormatException {
    TpmReader r = new TpmReader(data.clone(), STRUCTURE);
    int at = r.position();
    int type = r.u16("type");
    if (type != RSA && type != ECC) {
      throw r.error("type " + algName(type) + " is not TPM_ALG_RSA or TPM_ALG_ECC", at);
    }
    at = r.position();
    int nameAlg = r.u16("nameAlg");
    if (digestSize(nameAlg) < 0) {
      throw r.error("nameAlg " + algName(nameAlg) + " is not SHA-1, SHA-256, SHA-384 or SHA-512", at);
    }
    TpmaObject attributes = TpmaObject.parse(r);
    at = r.position();
    byte[] authPolicy = r.sized("authPolicy", MAX_DIGEST);
    if (authPolicy.length != 0 && authPolicy.length != digestSize(nameAlg)) {
      throw r.error("authPolicy is " + authPolicy.length + " bytes; a policy digest of nameAlg "
          + algName(nameAlg) + " is " + digestSize(nameAlg), at);
    }
    // parameters: TPMS_RSA_PARMS or TPMS_ECC_PARMS, both starting with TPMT_SYM_DEF_OBJECT
    at = r.position();
    int symAlg = r.u16("symmetric.algorithm");
    int symBits = 0;
    int symMode = NULL;
    if (symAlg != NULL) {
      if (symAlg != AES) {
        throw r.error("symmetric algorithm " + algName(symAlg) + " is neither TPM_ALG_NULL nor TPM_ALG_AES", at);
      }
      at = r.position();
      symBits = r.u16("symmetric.keyBits");
      if (symBits != 128 && symBits != 192 && symBits != 256) {
        throw r.error("AES key size " + symBits + " is not 128, 192 or 256", at);
      }
      at = r.position();
      symMode = r.u16("symmetric.mode");
      if (symMode != CFB) {
        throw r.error("symmetric mode " + algName(symMode) + " is not CFB, the only mode of a parent key", at);
      }
    }
    at = r.position();
    int scheme = r.u16("scheme.scheme");
    int schemeHash = NULL;
    if (scheme != NULL) {
      boolean known = type == RSA
          ? scheme == RSASSA || scheme == RSAPSS || scheme == OAEP || scheme == RSAES
          : scheme == ECDSA || scheme == ECDH || scheme == ECDAA || scheme == SM2 || scheme == ECSCHNORR
              || scheme == ECMQV;
      if (!known) {
        throw r.error("scheme " + algName(scheme) + " does not belong to a " + algName(type) + " key", at);
      }
      if (scheme != RSAES) {
        at = r.position();
        schemeHash = r.u16("scheme.details.hashAlg");
        if (digestSize(schemeHash) < 0) {
          throw r.error("scheme hash " + algName(schemeHash) + " is not SHA-1, SHA-256, SHA-384 or SHA-512", at);
        }
        if (scheme == ECDAA) {
          r.u16("scheme.details.count"); // ECDAA commit count: not used by keytrust
        }
      }
    }
    int keyBits = 0;
    int exponent = 0;
    int curve = 0;
    int kdf = NULL;
    int kdfHash = NULL;
    byte[] a;
    byte[] b = new byte[0];
    if (type == RSA) {
      at = r.position();
      keyBits = r.u16("keyBits");
      if (keyBits < 1024 || keyBits > 4096 || keyBits % 8 != 0) {
        throw r.error("RSA keyBits " + keyBits + " is not a multiple of 8 in 1024..4096", at);
      }
      exponent = r.u32("exponent");
      at = r.position();
      a = r.sized("unique.rsa", MAX_RSA_KEY_BYTES);
      if (a.length != 0 && a.length != keyBits / 8) {
        throw r.error("the RSA modulus is " + a.length + " bytes for a " + keyBits + "-bit key", at);
      }
    } else {
      at = r.position();
      curve = r.u16("curveID");
      int size = coordinateSize(curve);
      if (size < 0) {
        throw r.error(String.format("curveID 0x%04X is not NIST P-256, P-384 or P-521", curve), at);
      }
      at = r.position();
      kdf = r.u16("kdf.scheme");
      if (kdf != NULL) {
        if (kdf != KDF1_SP800_56A && kdf != KDF2 && kdf != KDF1_SP800_108) {
          throw r.error("kdf scheme " + algName(kdf) + " is not a TPM KDF", at);
        }
        kdfHash = r.u16("kdf.details.hashAlg");
      }
      at = r.position();
      a = r.sized("unique.ecc.x", size);
      int atY = r.position();
      b = r.sized("unique.ecc.y", size);
      if (a.length != b.length || (a.length != 0 && a.length != size)) {
        throw r.error("the ECC point's coordinates are " + a.length + " and " + b.length + " bytes, not "
            + size + " each (or both empty)", a.length != size ? at : atY);
      }
    }
    r.end();
    return new TpmtPublic(data.clone(), type, nameAlg, attributes, authPolicy, symAlg, symBits, symMode, scheme,
        schemeHash, keyBits, exponent, curve, kdf, kdfHash, a, b);
  }

  /** The exact bytes parsed: what the Name is computed over. */
  public byte[] rawBytes() {
    return raw.clone();
  }

  /** The object's Name: nameAlg (2 bytes) followed by the nameAlg digest of {@link #rawBytes()}. */
  public byte[] name() {
    byte[] d = digest(nameAlg, raw);
    byte[] n = new byte[2 + d.length];
    n[0] = (byte) (nameAlg >> 8);
    n[1] = (byte) nameAlg;
    System.arraycopy(d, 0, n, 2, d.length);
    return n;
  }

  static byte[] digest(int hashAlg, byte[] data) {
    try {
      return MessageDigest.getInstance(jcaDigest(hashAlg)).digest(data);
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("the JDK lacks " + jcaDigest(hashAlg), e);
    }
  }

  /** TPM_ALG_RSA (0x0001) or TPM_ALG_ECC (0x0023). */
  public int type() {
    return type;
  }

  public boolean isRsa() {
    return type == RSA;
  }

  public int nameAlg() {
    return nameAlg;
  }

  public TpmaObject objectAttributes() {
    return objectAttributes;
  }

  /** The policy digest; empty when the object has no policy. */
  public byte[] authPolicy() {
    return authPolicy.clone();
  }

  /** TPM_ALG_NULL for signing keys, TPM_ALG_AES for storage keys and EKs. */
  public int symmetricAlg() {
    return symmetricAlg;
  }

  public int symmetricKeyBits() {
    return symmetricKeyBits;
  }

  public int symmetricMode() {
    return symmetricMode;
  }

  /** The key's scheme, TPM_ALG_NULL when the template leaves it to each command. */
  public int schemeAlg() {
    return schemeAlg;
  }

  /** The scheme's hash, TPM_ALG_NULL when the scheme is. */
  public int schemeHashAlg() {
    return schemeHashAlg;
  }

  /** RSA: the key size in bits; 0 for ECC. */
  public int rsaKeyBits() {
    return keyBits;
  }

  /** RSA: the public exponent as the TPM stores it, where 0 means 65537. */
  public int rsaExponentField() {
    return exponent;
  }

  /** RSA: the modulus (unique field); ECC: the x coordinate. Empty in a template. */
  public byte[] rsaModulus() {
    return type == RSA ? uniqueA.clone() : new byte[0];
  }

  /** ECC: TPM_ECC_CURVE; 0 for RSA. */
  public int eccCurve() {
    return curveId;
  }

  /** ECC: the KDF scheme (TPM_ALG_NULL for keytrust's keys and the TCG EKs). */
  public int eccKdfAlg() {
    return kdfAlg;
  }

  public int eccKdfHashAlg() {
    return kdfHashAlg;
  }

  public byte[] eccX() {
    return type == ECC ? uniqueA.clone() : new byte[0];
  }

  public byte[] eccY() {
    return uniqueB.clone();
  }

  /**
   * The public key as a JCA key: RSA (an exponent field of 0 means 65537), or ECC on NIST
   * P-256/P-384/P-521.
   *
   * @throws KeytrustException ATTEST_MALFORMED when the unique field is empty (a template) or the
   *     point is not on the curve
   */
  public PublicKey publicKey() throws KeytrustException {
    if (uniqueA.length == 0) {
      throw new KeytrustException(CoreErrorCode.ATTEST_MALFORMED,
          "The TPMT_PUBLIC has an empty unique field: it is a template, not a key.");
    }
    try {
      if (type == RSA) {
        long e = Integer.toUnsignedLong(exponent);
        return KeyFactory.getInstance("RSA").generatePublic(
            new RSAPublicKeySpec(new BigInteger(1, uniqueA), BigInteger.valueOf(e == 0 ? 65537 : e)));
      }
      String curve = switch (curveId) {
        case ECC_NIST_P256 -> "secp256r1";
        case ECC_NIST_P384 -> "secp384r1";
        default -> "secp521r1";
      };
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec(curve));
      ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
      return KeyFactory.getInstance("EC").generatePublic(
          new ECPublicKeySpec(new ECPoint(new BigInteger(1, uniqueA), new BigInteger(1, uniqueB)), spec));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new KeytrustException(CoreErrorCode.ATTEST_MALFORMED,
          "The public key in the TPMT_PUBLIC is not a valid " + algName(type) + " key: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "TPMT_PUBLIC[" + algName(type) + (type == RSA ? " " + keyBits : String.format(" curve 0x%04X", curveId))
        + ", nameAlg " + algName(nameAlg) + ", " + objectAttributes + ", scheme " + algName(schemeAlg) + "]";
  }
}
