package dev.keytrust.agent.status;

/** Who named the TPM that status looked at. */
public enum TpmSource {
  /** The caller named it (the CLI's {@code --tpm}). */
  GIVEN,
  /** The environment variable {@value dev.keytrust.tpm.TpmUri#ENV}. */
  ENVIRONMENT,
  /** Nobody: the platform's default TPM. */
  PLATFORM_DEFAULT
}
