package dev.keytrust.tpm.session;

import dev.keytrust.error.KeytrustBugException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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
  /** Set once, racily (any instance will do), and never used itself: only cloned. */
  private volatile Mac macPrototype;

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

  /**
   * A fresh, uninitialized Mac: a clone of a never-initialized instance when the provider's can be
   * cloned (the JDK's can), which skips {@code Mac.getInstance}'s provider selection (0.5 to 1 µs
   * of the 1 to 2 µs a keyed HMAC costs here; MessageDigest.getInstance is cached by the JDK and
   * gains nothing from the same). The prototype is never keyed, so nothing secret is shared.
   */
  Mac mac() {
    Mac p = macPrototype;
    if (p == null) {
      p = newMac();
      try {
        p.clone();
        macPrototype = p;
      } catch (CloneNotSupportedException e) {
        return p;
      }
    }
    try {
      return (Mac) p.clone();
    } catch (CloneNotSupportedException e) {
      return newMac();
    }
  }

  /** A Mac initialized with {@code key} (the JCA copies the key; the caller zeroes its array). */
  Mac mac(byte[] key) {
    Mac mac = mac();
    try {
      // a zero-length HMAC key is legal in the TPM but not for SecretKeySpec; it never occurs here
      mac.init(new SecretKeySpec(key, jcaMac));
    } catch (InvalidKeyException | IllegalArgumentException e) {
      throw new KeytrustBugException("HMAC key refused by " + jcaMac, e);
    }
    return mac;
  }

  private Mac newMac() {
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
