package dev.keytrust.key;

/**
 * The provider-specific, persisted form of a private key: TPM blobs (useless outside the TPM that
 * made them) or a PIN-encrypted software key. Neither holds anything secret in clear.
 */
public sealed interface ProtectedKey permits TpmKeyBlobs, SoftwareKeyBlob {}
