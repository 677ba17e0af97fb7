package dev.keytrust.tpm.session;

import dev.keytrust.error.KeytrustBugException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import javax.crypto.Mac;

/** The hash algorithms (TPM_ALG_ID, Part 2 6.3) this package can parse, with their JCA names. */
enum TpmHash {
  SHA1(0x0004, "SHA-1", "HmacSHA1", 20),
  SHA256(0x000B, "SHA-256", "HmacSHA256", 32),
  SHA384(0x000C, "SHA-384", "HmacSHA384", 48),
  SHA512(0x000D, "SHA-512", "HmacSHA512", 64);

  private final int algId;
  private final String jcaDigest;
  private final String jcaMac;
  private final int size;

  TpmHash(int algId, String jcaDigest, String jcaMac, int size) {
    this.algId = algId;
    this.jcaDigest = jcaDigest;
    this.jcaMac = jcaMac;
    this.size = size;
  }

  /** The TPM_ALG_ID. */
  int algId() {
    return algId;
  }

  /** The digest size in bytes. */
  int size() {
    return size;
  }

  /** The JCA digest name, e.g. {@code SHA-256} (also the OAEP hash name). */
  String jcaDigest() {
    return jcaDigest;
  }

  static Optional<TpmHash> fromAlgId(int algId) {
    for (TpmHash h : values()) {
      if (h.algId == algId) {
        return Optional.of(h);
      }
    }
    return Optional.empty();
  }

  MessageDigest digest() {
    try {
      return MessageDigest.getInstance(jcaDigest);
    } catch (NoSuchAlgorithmException e) {
      throw new KeytrustBugException(jcaDigest + " missing from the JDK", e);
    }
  }

  Mac mac() {
    try {
      return Mac.getInstance(jcaMac);
    } catch (NoSuchAlgorithmException e) {
      throw new KeytrustBugException(jcaMac + " missing from the JDK", e);
    }
  }

  String jcaMac() {
    return jcaMac;
  }
}
