package dev.keytrust.attest;

/** TPM_ALG_ID and TPM_ST values these structures use (TPM 2.0 Part 2, §6.3 and §6.9), with their digest sizes. */
final class TpmAlgorithms {
  static final int RSA = 0x0001;
  static final int SHA1 = 0x0004;
  static final int HMAC = 0x0005;
  static final int AES = 0x0006;
  static final int KEYEDHASH = 0x0008;
  static final int XOR = 0x000A;
  static final int SHA256 = 0x000B;
  static final int SHA384 = 0x000C;
  static final int SHA512 = 0x000D;
  static final int NULL = 0x0010;
  static final int RSASSA = 0x0014;
  static final int RSAES = 0x0015;
  static final int RSAPSS = 0x0016;
  static final int OAEP = 0x0017;
  static final int ECDSA = 0x0018;
  static final int ECDH = 0x0019;
  static final int ECDAA = 0x001A;
  static final int SM2 = 0x001B;
  static final int ECSCHNORR = 0x001C;
  static final int ECMQV = 0x001D;
  static final int KDF1_SP800_56A = 0x0020;
  static final int KDF2 = 0x0021;
  static final int KDF1_SP800_108 = 0x0022;
  static final int ECC = 0x0023;
  static final int SYMCIPHER = 0x0025;
  static final int CFB = 0x0043;

  static final int ECC_NIST_P256 = 0x0003;
  static final int ECC_NIST_P384 = 0x0004;
  static final int ECC_NIST_P521 = 0x0005;

  private TpmAlgorithms() {}

  /** The digest size of a hash algorithm, or -1 when it is not one these structures accept. */
  static int digestSize(int hashAlg) {
    return switch (hashAlg) {
      case SHA1 -> 20;
      case SHA256 -> 32;
      case SHA384 -> 48;
      case SHA512 -> 64;
      default -> -1;
    };
  }

  /** The JCA name of a hash algorithm, or null. */
  static String jcaDigest(int hashAlg) {
    return switch (hashAlg) {
      case SHA1 -> "SHA-1";
      case SHA256 -> "SHA-256";
      case SHA384 -> "SHA-384";
      case SHA512 -> "SHA-512";
      default -> null;
    };
  }

  /** The size in bytes of a coordinate of a NIST curve, or -1 for other curves. */
  static int coordinateSize(int curve) {
    return switch (curve) {
      case ECC_NIST_P256 -> 32;
      case ECC_NIST_P384 -> 48;
      case ECC_NIST_P521 -> 66;
      default -> -1;
    };
  }

  static String algName(int alg) {
    return switch (alg) {
      case RSA -> "TPM_ALG_RSA";
      case SHA1 -> "TPM_ALG_SHA1";
      case SHA256 -> "TPM_ALG_SHA256";
      case SHA384 -> "TPM_ALG_SHA384";
      case SHA512 -> "TPM_ALG_SHA512";
      case NULL -> "TPM_ALG_NULL";
      case RSASSA -> "TPM_ALG_RSASSA";
      case RSAPSS -> "TPM_ALG_RSAPSS";
      case ECDSA -> "TPM_ALG_ECDSA";
      case ECC -> "TPM_ALG_ECC";
      case AES -> "TPM_ALG_AES";
      case KEYEDHASH -> "TPM_ALG_KEYEDHASH";
      case SYMCIPHER -> "TPM_ALG_SYMCIPHER";
      default -> String.format("0x%04X", alg);
    };
  }
}
