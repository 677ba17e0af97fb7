package dev.keytrust.lab.push;

import java.util.Locale;

/** The state of a push MFA request. */
public enum PushStatus {
  PENDING,
  APPROVED,
  DENIED;

  /** As the protocol writes it: {@code pending}, {@code approved}, {@code denied}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
