package dev.keytrust.tpm;

import java.util.Map;

/**
 * Decodes TPM 2.0 response codes (TCG TPM 2.0 Part 2, 6.6). Format-one codes (bit 7 set) carry an
 * error number in bits 0..5 and the parameter, handle or session it concerns in bits 6 and 8..11;
 * format-zero codes are VER1 errors (0x100 + n) or warnings (0x900 + n).
 */
final class TpmResponseCodes {
  static final int SUCCESS = 0x000;
  static final int INITIALIZE = 0x100;
  static final int LOCKOUT = 0x921;
  static final int OBJECT_MEMORY = 0x902;
  static final int SESSION_MEMORY = 0x903;
  static final int MEMORY = 0x904;
  static final int NV_RATE = 0x920;

  // format-one error numbers, as 0x080 + n
  static final int ASYMMETRIC = 0x081;
  static final int ATTRIBUTES = 0x082;
  static final int HASH = 0x083;
  static final int VALUE = 0x084;
  static final int HIERARCHY = 0x085;
  static final int KEY_SIZE = 0x087;
  static final int HANDLE = 0x08B;
  static final int AUTH_FAIL = 0x08E;
  static final int SCHEME = 0x092;
  static final int SIZE = 0x095;
  static final int SYMMETRIC = 0x096;
  static final int INTEGRITY = 0x09F;
  static final int KEY = 0x09C;
  static final int TYPE = 0x08A;
  static final int BAD_AUTH = 0x0A2;
  static final int CURVE = 0x0A6;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(SUCCESS, "TPM_RC_SUCCESS"),
          Map.entry(INITIALIZE, "TPM_RC_INITIALIZE"),
          Map.entry(0x101, "TPM_RC_FAILURE"),
          Map.entry(0x103, "TPM_RC_SEQUENCE"),
          Map.entry(0x10B, "TPM_RC_PRIVATE"),
          Map.entry(0x119, "TPM_RC_HMAC"),
          Map.entry(0x120, "TPM_RC_DISABLED"),
          Map.entry(0x121, "TPM_RC_EXCLUSIVE"),
          Map.entry(0x124, "TPM_RC_AUTH_TYPE"),
          Map.entry(0x125, "TPM_RC_AUTH_MISSING"),
          Map.entry(0x126, "TPM_RC_POLICY"),
          Map.entry(0x127, "TPM_RC_PCR"),
          Map.entry(0x128, "TPM_RC_PCR_CHANGED"),
          Map.entry(0x12D, "TPM_RC_UPGRADE"),
          Map.entry(0x12E, "TPM_RC_TOO_MANY_CONTEXTS"),
          Map.entry(0x12F, "TPM_RC_AUTH_UNAVAILABLE"),
          Map.entry(0x130, "TPM_RC_REBOOT"),
          Map.entry(0x131, "TPM_RC_UNBALANCED"),
          Map.entry(0x142, "TPM_RC_COMMAND_SIZE"),
          Map.entry(0x143, "TPM_RC_COMMAND_CODE"),
          Map.entry(0x144, "TPM_RC_AUTHSIZE"),
          Map.entry(0x145, "TPM_RC_AUTH_CONTEXT"),
          Map.entry(0x146, "TPM_RC_NV_RANGE"),
          Map.entry(0x147, "TPM_RC_NV_SIZE"),
          Map.entry(0x148, "TPM_RC_NV_LOCKED"),
          Map.entry(0x149, "TPM_RC_NV_AUTHORIZATION"),
          Map.entry(0x14A, "TPM_RC_NV_UNINITIALIZED"),
          Map.entry(0x14B, "TPM_RC_NV_SPACE"),
          Map.entry(0x14C, "TPM_RC_NV_DEFINED"),
          Map.entry(0x150, "TPM_RC_BAD_CONTEXT"),
          Map.entry(0x151, "TPM_RC_CPHASH"),
          Map.entry(0x152, "TPM_RC_PARENT"),
          Map.entry(0x153, "TPM_RC_NEEDS_TEST"),
          Map.entry(0x154, "TPM_RC_NO_RESULT"),
          Map.entry(0x155, "TPM_RC_SENSITIVE"),
          Map.entry(ASYMMETRIC, "TPM_RC_ASYMMETRIC"),
          Map.entry(ATTRIBUTES, "TPM_RC_ATTRIBUTES"),
          Map.entry(HASH, "TPM_RC_HASH"),
          Map.entry(VALUE, "TPM_RC_VALUE"),
          Map.entry(HIERARCHY, "TPM_RC_HIERARCHY"),
          Map.entry(KEY_SIZE, "TPM_RC_KEY_SIZE"),
          Map.entry(0x088, "TPM_RC_MGF"),
          Map.entry(0x089, "TPM_RC_MODE"),
          Map.entry(TYPE, "TPM_RC_TYPE"),
          Map.entry(HANDLE, "TPM_RC_HANDLE"),
          Map.entry(0x08C, "TPM_RC_KDF"),
          Map.entry(0x08D, "TPM_RC_RANGE"),
          Map.entry(AUTH_FAIL, "TPM_RC_AUTH_FAIL"),
          Map.entry(0x08F, "TPM_RC_NONCE"),
          Map.entry(0x090, "TPM_RC_PP"),
          Map.entry(SCHEME, "TPM_RC_SCHEME"),
          Map.entry(SIZE, "TPM_RC_SIZE"),
          Map.entry(SYMMETRIC, "TPM_RC_SYMMETRIC"),
          Map.entry(0x097, "TPM_RC_TAG"),
          Map.entry(0x098, "TPM_RC_SELECTOR"),
          Map.entry(0x09A, "TPM_RC_INSUFFICIENT"),
          Map.entry(0x09B, "TPM_RC_SIGNATURE"),
          Map.entry(KEY, "TPM_RC_KEY"),
          Map.entry(0x09D, "TPM_RC_POLICY_FAIL"),
          Map.entry(INTEGRITY, "TPM_RC_INTEGRITY"),
          Map.entry(0x0A0, "TPM_RC_TICKET"),
          Map.entry(0x0A1, "TPM_RC_RESERVED_BITS"),
          Map.entry(BAD_AUTH, "TPM_RC_BAD_AUTH"),
          Map.entry(0x0A3, "TPM_RC_EXPIRED"),
          Map.entry(0x0A4, "TPM_RC_POLICY_CC"),
          Map.entry(0x0A5, "TPM_RC_BINDING"),
          Map.entry(CURVE, "TPM_RC_CURVE"),
          Map.entry(0x0A7, "TPM_RC_ECC_POINT"),
          Map.entry(0x901, "TPM_RC_CONTEXT_GAP"),
          Map.entry(OBJECT_MEMORY, "TPM_RC_OBJECT_MEMORY"),
          Map.entry(SESSION_MEMORY, "TPM_RC_SESSION_MEMORY"),
          Map.entry(MEMORY, "TPM_RC_MEMORY"),
          Map.entry(0x905, "TPM_RC_SESSION_HANDLES"),
          Map.entry(0x906, "TPM_RC_OBJECT_HANDLES"),
          Map.entry(0x907, "TPM_RC_LOCALITY"),
          Map.entry(TransportDevice.RC_YIELDED, "TPM_RC_YIELDED"),
          Map.entry(0x909, "TPM_RC_CANCELED"),
          Map.entry(TransportDevice.RC_TESTING, "TPM_RC_TESTING"),
          Map.entry(NV_RATE, "TPM_RC_NV_RATE"),
          Map.entry(LOCKOUT, "TPM_RC_LOCKOUT"),
          Map.entry(TransportDevice.RC_RETRY, "TPM_RC_RETRY"),
          Map.entry(0x923, "TPM_RC_NV_UNAVAILABLE"));

  private TpmResponseCodes() {}

  static boolean isFormatOne(int rc) {
    return (rc & 0x080) != 0;
  }

  /** The code without the parameter/handle/session number bits: what the error means. */
  static int base(int rc) {
    return isFormatOne(rc) ? (rc & 0x0BF) : (rc & 0xFFF);
  }

  /** E.g. {@code TPM_RC_AUTH_FAIL (0x98E, session 1)}. */
  static String describe(int rc) {
    StringBuilder sb = new StringBuilder(name(rc)).append(String.format(" (0x%03X", rc));
    if (isFormatOne(rc)) {
      int n = (rc >> 8) & 0xF;
      if ((rc & 0x040) != 0) {
        sb.append(", parameter ").append(n);
      } else if ((rc & 0x800) != 0) {
        sb.append(", session ").append(n & 0x7);
      } else if (n != 0) {
        sb.append(", handle ").append(n);
      }
    }
    return sb.append(')').toString();
  }

  static String name(int rc) {
    String n = NAMES.get(base(rc));
    return n != null ? n : String.format("TPM_RC_0x%03X", base(rc));
  }
}
