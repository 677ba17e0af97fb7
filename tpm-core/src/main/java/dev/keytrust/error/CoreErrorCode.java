package dev.keytrust.error;

/**
 * The error codes of tpm-core and native: {@code KT-00xx} bad input, {@code KT-01xx} TPM and
 * transport, {@code KT-02xx} PIN and lockout, {@code KT-03xx} key store, {@code KT-04xx}
 * KeyCredentialLink format, {@code KT-05xx} TPM discovery, {@code KT-06xx} key attestation, {@code KT-0900} a bug in keytrust. The
 * agent has its own ({@code dev.keytrust.agent.error.AgentErrorCode}, {@code KT-1xxx}).
 *
 * <p>Messages of these codes say what failed and what to do in terms of the library (the TPM, the
 * key, the store); a front end (the CLI) adds how to do it with its own options.
 */
public enum CoreErrorCode implements ErrorCode {
  // bad input: the caller can fix the request
  INVALID_ARGUMENT("KT-0001", true),
  UNKNOWN_TPM_URI("KT-0002", true),
  PIN_MISMATCH("KT-0003", true),
  PIN_INVALID("KT-0004", true),
  /** The key was made by another provider than the one selected (a software key opened on a TPM). */
  KEY_PROVIDER_MISMATCH("KT-0005", true),

  // TPM and transport
  TPM_UNREACHABLE("KT-0101", false),
  TPM_TRANSPORT("KT-0102", false),
  TPM_BUSY("KT-0103", false),
  TPM_COMMAND_FAILED("KT-0104", false),
  TPM_UNSUPPORTED_ALGORITHM("KT-0105", false),
  TPM_OBJECT_MEMORY("KT-0106", false),
  TPM_PLATFORM_UNSUPPORTED("KT-0107", false),
  TPM_SRK_MISMATCH("KT-0108", false),
  TPM_KEY_NOT_LOADABLE("KT-0109", false),
  TPM_DA_DISABLED("KT-0110", false),
  TPM_HIERARCHY_AUTH("KT-0111", false),
  /**
   * A response to a command sent with an HMAC session failed its response HMAC (or the session
   * state it needs): something between keytrust and the TPM changed it. Nothing from it was used.
   */
  TPM_RESPONSE_NOT_AUTHENTIC("KT-0112", false),

  // PIN / authorization
  WRONG_PIN("KT-0201", false),
  LOCKED_OUT("KT-0202", false),
  COUNTER_TAMPERED("KT-0203", false),

  // key store
  KEY_NOT_FOUND("KT-0301", false),
  KEY_EXISTS("KT-0302", false),
  STORE_CORRUPT("KT-0303", false),
  STORE_IO("KT-0304", false),
  STORE_VERSION_UNSUPPORTED("KT-0305", false),
  STORE_PERMISSIONS("KT-0306", false),
  STORE_BUSY("KT-0307", false),
  /**
   * A secret sealed with a user's PIN ({@code HelloKeys.seal}) belongs to another key of the user
   * (one the PIN has since changed from): the current PIN cannot open it, and no try was spent.
   */
  SEALED_SECRET_STALE("KT-0308", false),

  // KeyCredentialLink codec (tpm-core dev.keytrust.credential): KT-04xx
  KEY_CREDENTIAL_MALFORMED("KT-0401", true),
  DN_BINARY_MALFORMED("KT-0402", true),
  KEY_CREDENTIAL_UNSUPPORTED_KEY("KT-0403", true),
  KEY_CREDENTIAL_INVALID_OPTIONS("KT-0404", true),

  // native: device discovery and locked memory: KT-05xx
  /** The TPM found is not a TPM 2.0 (a TPM 1.2, or a version that cannot be told). */
  TPM_VERSION_UNSUPPORTED("KT-0501", false),
  /** {@code --tpm auto} found a TPM 2.0 with a raw device node only, no resource manager node. */
  TPM_NO_RESOURCE_MANAGER("KT-0502", false),

  // key attestation (dev.keytrust.attest): KT-06xx
  /** A TPM structure of an attestation (TPMT_PUBLIC, TPMS_ATTEST, TPMT_SIGNATURE) does not parse. */
  ATTEST_MALFORMED("KT-0601", true),
  /** An attestation was checked and refused: the failed step says which check. */
  ATTEST_REFUSED("KT-0602", false),
  /** The TPM's endorsement key has no certificate, or the certificate does not match the key. */
  ATTEST_NO_EK_CERTIFICATE("KT-0603", false),
  /** The attestation CA did not issue an AIK certificate (credential activation failed). */
  ATTEST_ACTIVATION_FAILED("KT-0604", false),
  /** A software key, or a key of a provider that cannot be attested, was asked to attest. */
  ATTEST_UNSUPPORTED_KEY("KT-0605", true),
  /** The attestation key kept for the user is missing, damaged or from another TPM. */
  ATTEST_KEY_UNUSABLE("KT-0606", false),

  // programming errors and impossible states
  INTERNAL("KT-0900", false);


  private final String id;
  private final boolean badInput;

  CoreErrorCode(String id, boolean badInput) {
    this.id = id;
    this.badInput = badInput;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public boolean badInput() {
    return badInput;
  }
}
