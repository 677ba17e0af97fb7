package dev.keytrust.agent.mfa;

import java.util.Locale;
import java.util.Optional;

/** The HMAC of a TOTP (RFC 6238 §1.2: HMAC-SHA-1, HMAC-SHA-256, HMAC-SHA-512). */
public enum TotpAlgorithm {
  SHA1("HmacSHA1"),
  SHA256("HmacSHA256"),
  SHA512("HmacSHA512");

  private final String jcaName;

  TotpAlgorithm(String jcaName) {
    this.jcaName = jcaName;
  }

  /** The JCA MAC name, e.g. {@code HmacSHA256}. */
  public String jcaName() {
    return jcaName;
  }

  /** The algorithm for an otpauth name ({@code SHA1}, {@code SHA256}, {@code SHA512}; case and a dash ignored). */
  public static Optional<TotpAlgorithm> fromName(String name) {
    String n = name.toUpperCase(Locale.ROOT).replace("-", "");
    for (TotpAlgorithm a : values()) {
      if (a.name().equals(n)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
