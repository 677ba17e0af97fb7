package dev.keytrust.internal;

import dev.keytrust.error.KeytrustBugException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of some bytes, for keytrust's own modules: the one helper instead of a private copy in each class. */
public final class Sha256 {
  private Sha256() {}

  /** SHA-256 of {@code data}. */
  public static byte[] of(byte[] data) {
    return of(data, 0, data.length);
  }

  /** SHA-256 of {@code data[from..to)}. */
  public static byte[] of(byte[] data, int from, int to) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, from, to - from);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new KeytrustBugException("SHA-256 missing from the JDK", e);
    }
  }
}
