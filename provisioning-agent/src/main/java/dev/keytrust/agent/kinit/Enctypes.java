package dev.keytrust.agent.kinit;

import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.crypto.EncTypeHandler;
import org.apache.kerby.kerberos.kerb.crypto.EncryptionHandler;

/** The enctypes kinit takes: the two AES ones it asks for. */
final class Enctypes {
  static final int AES256_CTS_HMAC_SHA1_96 = 18;
  static final int AES128_CTS_HMAC_SHA1_96 = 17;

  private Enctypes() {}

  /** True for an enctype keytrust asked for. */
  static boolean accepted(int etype) {
    return etype == AES256_CTS_HMAC_SHA1_96 || etype == AES128_CTS_HMAC_SHA1_96;
  }

  /** The name MIT prints. */
  static String name(int etype) {
    return switch (etype) {
      case AES256_CTS_HMAC_SHA1_96 -> "aes256-cts-hmac-sha1-96";
      case AES128_CTS_HMAC_SHA1_96 -> "aes128-cts-hmac-sha1-96";
      case 23 -> "arcfour-hmac";
      default -> "enctype " + etype;
    };
  }

  /** Apache Kerby's implementation of {@code etype}. */
  static EncTypeHandler handler(int etype) {
    if (!accepted(etype)) {
      throw new IllegalArgumentException("enctype " + etype + " was not asked for");
    }
    try {
      return EncryptionHandler.getEncHandler(etype);
    } catch (KrbException e) {
      throw new IllegalArgumentException("enctype " + etype + " is not implemented", e);
    }
  }
}
