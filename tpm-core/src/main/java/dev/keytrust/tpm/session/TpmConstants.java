package dev.keytrust.tpm.session;

/**
 * The TCG values this package sends and checks, spelled as in TPM 2.0 Part 2 (TPM_ST, TPM_CC,
 * TPM_CAP, TPM_RH, TPM_ALG_ID, TPM_SE, TPMA_SESSION, TPMA_OBJECT, TPM_ECC_CURVE).
 */
final class TpmConstants {
  // TPM_ST (Part 2, 6.9)
  static final int TPM_ST_NO_SESSIONS = 0x8001;
  static final int TPM_ST_SESSIONS = 0x8002;
  static final int TPM_ST_HASHCHECK = 0x8024;

  // TPM_CC (Part 2, 6.5.2)
  static final int TPM_CC_STARTUP = 0x00000144;
  static final int TPM_CC_ACTIVATE_CREDENTIAL = 0x00000147;
  static final int TPM_CC_CERTIFY = 0x00000148;
  static final int TPM_CC_OBJECT_CHANGE_AUTH = 0x00000150;
  static final int TPM_CC_CREATE = 0x00000153;
  static final int TPM_CC_LOAD = 0x00000157;
  static final int TPM_CC_SIGN = 0x0000015D;
  static final int TPM_CC_UNSEAL = 0x0000015E;
  static final int TPM_CC_FLUSH_CONTEXT = 0x00000165;
  static final int TPM_CC_READ_PUBLIC = 0x00000173;
  static final int TPM_CC_START_AUTH_SESSION = 0x00000176;
  static final int TPM_CC_GET_CAPABILITY = 0x0000017A;
  static final int TPM_CC_GET_RANDOM = 0x0000017B;

  // TPM_CAP (Part 2, 6.12)
  static final int TPM_CAP_ALGS = 0x00000000;
  static final int TPM_CAP_HANDLES = 0x00000001;
  static final int TPM_CAP_TPM_PROPERTIES = 0x00000006;
  static final int TPM_CAP_ECC_CURVES = 0x00000008;

  // TPM_RH (Part 2, 7.4)
  static final int TPM_RH_NULL = 0x40000007;
  /** The password authorization session (Part 2, 7.4): its HMAC field carries the auth value itself. */
  static final int TPM_RS_PW = 0x40000009;

  // TPM_HT: the top octet of a handle (Part 2, 7.2)
  static final int TPM_HT_HMAC_SESSION = 0x02;
  static final int TPM_HT_POLICY_SESSION = 0x03;
  static final int TPM_HT_TRANSIENT = 0x80;
  static final int TPM_HT_PERSISTENT = 0x81;

  // TPM_ALG_ID (Part 2, 6.3)
  static final int TPM_ALG_RSA = 0x0001;
  static final int TPM_ALG_HMAC = 0x0005;
  static final int TPM_ALG_AES = 0x0006;
  static final int TPM_ALG_KEYEDHASH = 0x0008;
  static final int TPM_ALG_XOR = 0x000A;
  static final int TPM_ALG_NULL = 0x0010;
  static final int TPM_ALG_RSASSA = 0x0014;
  static final int TPM_ALG_RSAES = 0x0015;
  static final int TPM_ALG_ECDSA = 0x0018;
  static final int TPM_ALG_ECDAA = 0x001A;
  static final int TPM_ALG_ECC = 0x0023;
  static final int TPM_ALG_CFB = 0x0043;

  // TPM_ECC_CURVE (Part 2, 6.4)
  static final int TPM_ECC_NIST_P256 = 0x0003;

  // TPM_SE (Part 2, 6.11)
  static final int TPM_SE_HMAC = 0x00;

  // TPMA_SESSION (Part 2, 8.4)
  static final int TPMA_SESSION_CONTINUE_SESSION = 0x01;
  static final int TPMA_SESSION_DECRYPT = 0x20;
  static final int TPMA_SESSION_ENCRYPT = 0x40;

  // TPMA_OBJECT (Part 2, 8.3)
  static final int TPMA_OBJECT_FIXED_TPM = 0x00000002;
  static final int TPMA_OBJECT_FIXED_PARENT = 0x00000010;
  static final int TPMA_OBJECT_SENSITIVE_DATA_ORIGIN = 0x00000020;
  static final int TPMA_OBJECT_USER_WITH_AUTH = 0x00000040;
  static final int TPMA_OBJECT_ADMIN_WITH_POLICY = 0x00000080;
  static final int TPMA_OBJECT_NO_DA = 0x00000400;
  static final int TPMA_OBJECT_RESTRICTED = 0x00010000;
  static final int TPMA_OBJECT_DECRYPT = 0x00020000;
  static final int TPMA_OBJECT_SIGN_ENCRYPT = 0x00040000;

  /** MAX_SYM_DATA: the most data a sealed data object holds (Part 2, TPM2B_SENSITIVE_DATA). */
  static final int MAX_SYM_DATA = 128;

  private TpmConstants() {}

  /** The handle type: its top octet. */
  static int handleType(int handle) {
    return handle >>> 24;
  }

  /** Whether {@code handle} is a session's: TPM_HT_HMAC_SESSION or TPM_HT_POLICY_SESSION. */
  static boolean isSession(int handle) {
    int type = handleType(handle);
    return type == TPM_HT_HMAC_SESSION || type == TPM_HT_POLICY_SESSION;
  }
}
