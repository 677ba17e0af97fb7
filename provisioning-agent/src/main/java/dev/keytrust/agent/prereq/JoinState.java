package dev.keytrust.agent.prereq;

import java.util.Locale;
import java.util.Optional;

/** How the device is joined, as dsregcmd's AzureAdJoined / DomainJoined pair says. */
public enum JoinState {
  /** Neither Entra joined nor domain joined. */
  NOT_JOINED("none"),
  /** Entra joined (AzureAdJoined YES, DomainJoined NO). */
  ENTRA_JOINED("entra"),
  /** Domain joined only (AzureAdJoined NO, DomainJoined YES): hybrid join has not completed. */
  DOMAIN_JOINED("domain"),
  /** Hybrid joined, "DJ++" (AzureAdJoined YES, DomainJoined YES). */
  HYBRID_JOINED("hybrid");

  private final String fileValue;

  JoinState(String fileValue) {
    this.fileValue = fileValue;
  }

  /** The word in a device context file: {@code none}, {@code entra}, {@code domain}, {@code hybrid}. */
  public String fileValue() {
    return fileValue;
  }

  /** True when the device is registered in the cloud directory: Entra joined or hybrid joined. */
  public boolean cloudJoined() {
    return this == ENTRA_JOINED || this == HYBRID_JOINED;
  }

  /** The state for a device context file word, compared without case. */
  public static Optional<JoinState> fromFileValue(String value) {
    for (JoinState s : values()) {
      if (s.fileValue.equals(value.toLowerCase(Locale.ROOT))) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
