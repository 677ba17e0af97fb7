package dev.keytrust.internal;

import dev.keytrust.error.KeytrustBugException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of some bytes, for keytrust's own modules: the one helper instead of a private copy in each class. */
public final class Sha256 {
  /** The length of a SHA-256 hash in bytes. */
  public static final int LENGTH = 32;
  /** Cloned for every hash: cheaper than a provider look-up each time. */
  private static final MessageDigest PROTOTYPE = newDigest();

  private Sha256() {}

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new KeytrustBugException("SHA-256 missing from the JDK", e);
    }
  }

  private static MessageDigest digest() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newDigest();
    }
  }

  /** SHA-256 of {@code data}. */
  public static byte[] of(byte[] data) {
    return of(data, 0, data.length);
  }

  /** SHA-256 of {@code data[from..to)}. */
  public static byte[] of(byte[] data, int from, int to) {
    MessageDigest md = digest();
    md.update(data, from, to - from);
    return md.digest();
  }
}
