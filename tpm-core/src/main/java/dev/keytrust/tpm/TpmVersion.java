package dev.keytrust.tpm;

/** The TCG specification family of a TPM, as the operating system reports it. */
public enum TpmVersion {
  /** TPM 1.2: keytrust cannot use it. */
  TPM_1_2("1.2"),
  /** TPM 2.0: the only family keytrust speaks. */
  TPM_2_0("2.0"),
  /** The OS does not say (for example a kernel without {@code tpm_version_major}). */
  UNKNOWN("unknown");

  private final String text;

  TpmVersion(String text) {
    this.text = text;
  }

  /** {@code 1.2}, {@code 2.0} or {@code unknown}. */
  @Override
  public String toString() {
    return text;
  }
}
