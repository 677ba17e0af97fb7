package dev.keytrust.tpm;

/**
 * Whether a storage root key is persisted at its TCG-reserved handle.
 *
 * @param algorithm {@code rsa2048} or {@code p256}
 * @param handle the persistent handle (0x81000001 for RSA, 0x81000002 for ECC)
 * @param persistent true when an object is persisted at the handle
 * @param matchesTemplate true when that object's public area matches the TCG SRK template
 */
public record SrkStatus(String algorithm, int handle, boolean persistent, boolean matchesTemplate) {}
