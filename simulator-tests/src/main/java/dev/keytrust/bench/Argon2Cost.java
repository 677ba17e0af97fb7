package dev.keytrust.bench;

import dev.keytrust.key.Argon2Parameters;
import java.util.Locale;

/** The Argon2id costs the software benchmarks compare, by their {@code @Param} names. */
enum Argon2Cost {
  /** keytrust's default, {@link Argon2Parameters#DEFAULT}: m=64 MiB, t=3, p=4 (RFC 9106, second option). */
  DEFAULT(Argon2Parameters.DEFAULT),
  /** OWASP's minimum recommendation for Argon2id: m=19 MiB (19456 KiB), t=2, p=1. */
  LIGHT(new Argon2Parameters(19_456, 2, 1)),
  /**
   * The cheapest parameters keytrust accepts (m=8 KiB, t=1, p=1): not a setting to use, but it
   * leaves the rest of the sign path (store reads, attempt-counter writes, AES-GCM, JCA sign and
   * verify) as the measured cost.
   */
  FLOOR(new Argon2Parameters(8, 1, 1));

  private final Argon2Parameters parameters;

  Argon2Cost(Argon2Parameters parameters) {
    this.parameters = parameters;
  }

  Argon2Parameters parameters() {
    return parameters;
  }

  /** The cost named {@code default}, {@code light} or {@code floor}. */
  static Argon2Cost of(String name) {
    for (Argon2Cost c : values()) {
      if (c.name().toLowerCase(Locale.ROOT).equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("Unknown Argon2 cost '" + name + "': use default, light or floor.");
  }
}
