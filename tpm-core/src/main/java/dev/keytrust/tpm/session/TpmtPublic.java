package dev.keytrust.tpm.session;

import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_AES;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_CFB;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_ECC;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_ECDAA;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_HMAC;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_KEYEDHASH;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_NULL;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_RSA;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_RSAES;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_XOR;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ECC_NIST_P256;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * A TPMT_PUBLIC (Part 2, 12.2.4) of type RSA, ECC or KEYEDHASH, parsed strictly from its
 * canonical bytes: every TPM2B size is checked against its type's maximum, the union members are
 * chosen by their selectors, and no byte may follow {@code unique}. Immutable.
 */
final class TpmtPublic {
  /** MAX_RSA_KEY_BYTES for a 4096-bit modulus. */
  static final int MAX_RSA_KEY_BYTES = 512;
  /** MAX_ECC_KEY_BYTES for P-521. */
  static final int MAX_ECC_KEY_BYTES = 66;
  /** The size of a P-256 coordinate. */
  static final int P256_BYTES = 32;

  private final byte[] encoded;
  private final int uniqueOffset;
  private final int type;
  private final TpmHash nameAlg;
  private final int objectAttributes;
  private final int symmetricAlg;
  private final int symmetricKeyBits;
  private final int symmetricMode;
  private final int scheme;
  private final int keyBits;
  private final int exponent;
  private final int curveId;
  private final int kdf;
  private final byte[] modulus;
  private final byte[] x;
  private final byte[] y;
  private volatile byte[] name;

  private TpmtPublic(Builder b) {
    this.encoded = b.encoded;
    this.uniqueOffset = b.uniqueOffset;
    this.type = b.type;
    this.nameAlg = b.nameAlg;
    this.objectAttributes = b.objectAttributes;
    this.symmetricAlg = b.symmetricAlg;
    this.symmetricKeyBits = b.symmetricKeyBits;
    this.symmetricMode = b.symmetricMode;
    this.scheme = b.scheme;
    this.keyBits = b.keyBits;
    this.exponent = b.exponent;
    this.curveId = b.curveId;
    this.kdf = b.kdf;
    this.modulus = b.modulus;
    this.x = b.x;
    this.y = b.y;
  }

  /** Parses a TPMT_PUBLIC without size prefix; {@code what} names it in errors. */
  static TpmtPublic parse(byte[] tpmtPublic, String what) throws KeytrustException {
    Builder b = new Builder();
    b.encoded = tpmtPublic.clone();
    TpmUnmarshaller in = new TpmUnmarshaller(b.encoded, what);
    b.type = in.u16();
    int nameAlgId = in.u16();
    b.nameAlg = TpmHash.fromAlgId(nameAlgId).orElseThrow(
        () -> in.malformed(String.format("its nameAlg 0x%04X is not a hash keytrust knows", nameAlgId)));
    b.objectAttributes = in.u32();
    in.tpm2b(TpmsAuthResponse.MAX_DIGEST, "authPolicy");
    switch (b.type) {
      case TPM_ALG_KEYEDHASH -> {
        b.scheme = in.u16();
        if (b.scheme == TPM_ALG_HMAC) {
          in.u16(); // hashAlg
        } else if (b.scheme == TPM_ALG_XOR) {
          in.u16(); // hashAlg
          in.u16(); // kdf
        } else if (b.scheme != TPM_ALG_NULL) {
          throw in.malformed(String.format("keyedHash scheme 0x%04X", b.scheme));
        }
        b.uniqueOffset = in.position();
        in.tpm2b(TpmsAuthResponse.MAX_DIGEST, "unique (keyedHash)");
      }
      case TPM_ALG_RSA -> {
        symmetric(in, b);
        b.scheme = asymScheme(in);
        b.keyBits = in.u16();
        b.exponent = in.u32();
        b.uniqueOffset = in.position();
        b.modulus = in.tpm2b(MAX_RSA_KEY_BYTES, "unique (RSA modulus)");
      }
      case TPM_ALG_ECC -> {
        symmetric(in, b);
        b.scheme = asymScheme(in);
        b.curveId = in.u16();
        b.kdf = in.u16();
        if (b.kdf != TPM_ALG_NULL) {
          in.u16(); // hashAlg
        }
        b.uniqueOffset = in.position();
        b.x = in.tpm2b(MAX_ECC_KEY_BYTES, "unique.x");
        b.y = in.tpm2b(MAX_ECC_KEY_BYTES, "unique.y");
      }
      default -> throw in.malformed(String.format("its type 0x%04X is not RSA, ECC or KEYEDHASH", b.type));
    }
    in.finish();
    return new TpmtPublic(b);
  }

  private static void symmetric(TpmUnmarshaller in, Builder b) throws KeytrustException {
    b.symmetricAlg = in.u16();
    if (b.symmetricAlg != TPM_ALG_NULL) {
      b.symmetricKeyBits = in.u16();
      b.symmetricMode = in.u16();
    }
  }

  /** TPMT_RSA_SCHEME / TPMT_ECC_SCHEME: the scheme and its details (Part 2, 11.2.3 and 11.2.5). */
  private static int asymScheme(TpmUnmarshaller in) throws KeytrustException {
    int scheme = in.u16();
    if (scheme == TPM_ALG_NULL || scheme == TPM_ALG_RSAES) {
      return scheme;
    }
    in.u16(); // hashAlg
    if (scheme == TPM_ALG_ECDAA) {
      in.u16(); // count
    }
    return scheme;
  }

  /** The canonical bytes, as parsed. */
  byte[] encoded() {
    return encoded.clone();
  }

  /** Everything before {@code unique}: what must equal a template for an object made from it. */
  byte[] withoutUnique() {
    return Arrays.copyOf(encoded, uniqueOffset);
  }

  int type() {
    return type;
  }

  TpmHash nameAlg() {
    return nameAlg;
  }

  int objectAttributes() {
    return objectAttributes;
  }

  int scheme() {
    return scheme;
  }

  /** The object's Name: nameAlg (UINT16) followed by H_nameAlg(TPMT_PUBLIC) (Part 1, 16). */
  byte[] name() {
    byte[] n = name;
    if (n == null) {
      byte[] d = nameAlg.digest().digest(encoded);
      n = new byte[2 + d.length];
      n[0] = (byte) (nameAlg.algId() >>> 8);
      n[1] = (byte) nameAlg.algId();
      System.arraycopy(d, 0, n, 2, d.length);
      name = n; // two threads may both compute it: the same bytes (a session operation asks up to 4 times)
    }
    return n.clone();
  }

  /** RSA only: the modulus bytes. */
  byte[] modulus() {
    return modulus == null ? null : modulus.clone();
  }

  /** ECC only: unique.x as the TPM gave it. */
  byte[] x() {
    return x == null ? null : x.clone();
  }

  /** ECC only: unique.y as the TPM gave it. */
  byte[] y() {
    return y == null ? null : y.clone();
  }

  /** ECC only: the TPM_ECC_CURVE. */
  int curveId() {
    return curveId;
  }

  /**
   * Why this is not a storage key keytrust salts sessions to, or empty when it is one: a
   * restricted decryption key (no sign) with fixedTPM and fixedParent, SHA-256 name,
   * AES-128-CFB symmetric, no scheme, RSA-2048 or ECC P-256 (the TCG SRK templates' shape).
   */
  Optional<String> notAStorageRootKey() {
    int needed = TpmConstants.TPMA_OBJECT_RESTRICTED | TpmConstants.TPMA_OBJECT_DECRYPT
        | TpmConstants.TPMA_OBJECT_FIXED_TPM | TpmConstants.TPMA_OBJECT_FIXED_PARENT;
    if ((objectAttributes & needed) != needed || (objectAttributes & TpmConstants.TPMA_OBJECT_SIGN_ENCRYPT) != 0) {
      return Optional.of(String.format("its attributes 0x%08X are not those of a restricted decryption key "
          + "fixed to this TPM", objectAttributes));
    }
    if (nameAlg != TpmHash.SHA256) {
      return Optional.of("its name algorithm is not SHA-256");
    }
    if (symmetricAlg != TPM_ALG_AES || symmetricKeyBits != 128 || symmetricMode != TPM_ALG_CFB) {
      return Optional.of("its symmetric algorithm is not AES-128-CFB");
    }
    if (scheme != TPM_ALG_NULL) {
      return Optional.of("it has an asymmetric scheme");
    }
    if (type == TPM_ALG_RSA) {
      return keyBits == 2048 && modulus.length == 256 ? Optional.empty() : Optional.of("it is not RSA-2048");
    }
    if (type == TPM_ALG_ECC) {
      return curveId == TPM_ECC_NIST_P256 && kdf == TPM_ALG_NULL ? Optional.empty()
          : Optional.of("it is not an ECC P-256 key without KDF");
    }
    return Optional.of("it is not an RSA or ECC key");
  }

  /** The JCA public key of an RSA or NIST P-256 key (RSA exponent 0 means 65537). */
  PublicKey jcaPublicKey() throws KeytrustException {
    try {
      if (type == TPM_ALG_RSA) {
        if (modulus.length * 8 != keyBits) {
          throw new KeytrustException(CoreErrorCode.TPM_TRANSPORT,
              "The RSA public area has a " + modulus.length * 8 + "-bit modulus but says " + keyBits + " bits.");
        }
        long e = Integer.toUnsignedLong(exponent);
        return KeyFactory.getInstance("RSA").generatePublic(
            new RSAPublicKeySpec(new BigInteger(1, modulus), BigInteger.valueOf(e == 0 ? 65537 : e)));
      }
      if (type == TPM_ALG_ECC) {
        if (curveId != TPM_ECC_NIST_P256 || x.length > P256_BYTES || y.length > P256_BYTES) {
          throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM,
              "Only NIST P-256 ECC keys are supported here.");
        }
        return KeyFactory.getInstance("EC").generatePublic(
            new ECPublicKeySpec(new ECPoint(new BigInteger(1, x), new BigInteger(1, y)), p256()));
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new KeytrustException(CoreErrorCode.TPM_TRANSPORT,
          "The TPM public area is not a valid public key (" + e.getClass().getSimpleName() + ").", e);
    }
    throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM, "The TPM object is not an RSA or ECC key.");
  }

  static ECParameterSpec p256() throws GeneralSecurityException {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    return params.getParameterSpec(ECParameterSpec.class);
  }

  @Override
  public String toString() {
    return String.format("TPMT_PUBLIC[type=0x%04X, nameAlg=%s, attributes=0x%08X, %d B]", type, nameAlg,
        objectAttributes, encoded.length);
  }

  private static final class Builder {
    byte[] encoded;
    int uniqueOffset;
    int type;
    TpmHash nameAlg;
    int objectAttributes;
    int symmetricAlg = TPM_ALG_NULL;
    int symmetricKeyBits;
    int symmetricMode;
    int scheme = TPM_ALG_NULL;
    int keyBits;
    int exponent;
    int curveId;
    int kdf = TPM_ALG_NULL;
    byte[] modulus;
    byte[] x;
    byte[] y;
  }
}
