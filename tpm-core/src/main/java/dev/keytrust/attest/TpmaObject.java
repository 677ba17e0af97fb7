package dev.keytrust.attest;

import java.util.ArrayList;
import java.util.List;

/**
 * TPMA_OBJECT (TPM 2.0 Part 2, §8.3): an object's attributes. Immutable. {@link #parse} refuses
 * the reserved bits (0, 3, 8-9, 12-15, 20-31), which a TPM never sets.
 *
 * @param bits the 32 attribute bits
 */
public record TpmaObject(int bits) {
  public static final int FIXED_TPM = 1 << 1;
  public static final int ST_CLEAR = 1 << 2;
  public static final int FIXED_PARENT = 1 << 4;
  public static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
  public static final int USER_WITH_AUTH = 1 << 6;
  public static final int ADMIN_WITH_POLICY = 1 << 7;
  public static final int NO_DA = 1 << 10;
  public static final int ENCRYPTED_DUPLICATION = 1 << 11;
  public static final int RESTRICTED = 1 << 16;
  public static final int DECRYPT = 1 << 17;
  public static final int SIGN_ENCRYPT = 1 << 18;
  public static final int X509_SIGN = 1 << 19;

  /** Bits TPM 2.0 Part 2 reserves. */
  public static final int RESERVED = 0x1 | 0x8 | 0x300 | 0xF000 | 0xFFF00000;

  /**
   * keytrust's user keys: fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign, and
   * nothing else (in particular no noDA: every wrong PIN counts).
   */
  public static final TpmaObject USER_KEY =
      new TpmaObject(FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | SIGN_ENCRYPT);

  /**
   * An attestation key (TCG EK Credential Profile's AK template): fixedTPM | fixedParent |
   * sensitiveDataOrigin | userWithAuth | restricted | sign; keytrust's AKs also have noDA (their auth
   * is empty, so there is nothing to guess).
   */
  public static final TpmaObject ATTESTATION_KEY =
      new TpmaObject(FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH | NO_DA | RESTRICTED
          | SIGN_ENCRYPT);

  static TpmaObject parse(TpmReader r) throws AttestFormatException {
    int at = r.position();
    int bits = r.u32("objectAttributes");
    if ((bits & RESERVED) != 0) {
      throw r.error(String.format("objectAttributes 0x%08X set reserved bits 0x%08X", bits, bits & RESERVED), at);
    }
    return new TpmaObject(bits);
  }

  public boolean has(int attribute) {
    return (bits & attribute) == attribute;
  }

  /** The attribute names set, as Part 2 spells them, e.g. {@code [fixedTPM, fixedParent, sign]}. */
  public List<String> names() {
    String[] names = {
      null, "fixedTPM", "stClear", null, "fixedParent", "sensitiveDataOrigin", "userWithAuth", "adminWithPolicy",
      null, null, "noDA", "encryptedDuplication", null, null, null, null, "restricted", "decrypt", "sign",
      "x509sign"
    };
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      if ((bits & (1 << i)) != 0) {
        out.add(i < names.length && names[i] != null ? names[i] : "reserved" + i);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return String.format("TPMA_OBJECT[0x%08X %s]", bits, String.join("|", names()));
  }
}
