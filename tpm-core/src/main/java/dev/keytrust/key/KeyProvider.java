package dev.keytrust.key;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;

/**
 * Creates PIN-protected user keys and signs with them. Two implementations: {@link TpmKeyProvider}
 * (the private key never leaves the TPM; the TPM's dictionary-attack logic guards the PIN) and
 * {@link SoftwareKeyProvider} (the fallback: PIN-encrypted key on disk, with its own attempt
 * counter). A provider never persists keys itself; {@link KeyContainerStore} does. State a
 * provider keeps per key (the software attempt counter) comes with the key as {@link
 * ProtectedKey#initialState()}, is written by the store before the key file, and is removed by
 * {@link KeyContainerStore#delete} with the key.
 *
 * <p>PINs are passed as {@link Pin}s and are not retained; the caller destroys them.
 */
public interface KeyProvider extends AutoCloseable {

  ProviderKind kind();

  /**
   * Creates a new key pair for {@code user}, protected by {@code pin}.
   *
   * @return the container to persist; its private half is in the provider's protected form, with
   *     any provider state the store must write with it ({@link ProtectedKey#initialState()})
   */
  KeyContainer create(String user, KeyAlgorithm algorithm, Pin pin) throws KeytrustException;

  /**
   * Signs a SHA-256 digest with the key, after checking the PIN.
   *
   * @param sha256 the 32-byte SHA-256 digest of the message
   * @return the signature in the form JCA verifies: PKCS#1 v1.5 bytes (RSA) or DER
   *     {@code SEQUENCE {r, s}} (ECDSA)
   * @throws dev.keytrust.error.WrongPinException with the tries left
   * @throws dev.keytrust.error.LockedOutException with the time until the next try
   */
  byte[] signDigest(KeyContainer key, byte[] sha256, Pin pin) throws KeytrustException;

  /** The largest secret {@link #seal} takes. */
  int MAX_SEALED_SECRET = 64;

  /**
   * Seals a small secret (1 to {@link #MAX_SEALED_SECRET} bytes) so that only {@code pin}, the PIN
   * of {@code key}, releases it, and only as this provider guards the key's PIN: the TPM provider
   * makes a sealed data object under the key's storage root key (its auth value derived from the
   * PIN, counted by the TPM's dictionary-attack protection, created through an encrypted session);
   * the software provider encrypts it under Argon2id(PIN) at the key's cost. The PIN is not checked
   * here: pass the PIN the key was just created with or that just signed.
   *
   * @return the sealed form, bound to the key's id; nothing in it is secret in clear
   */
  SealedSecret seal(KeyContainer key, SecretBuffer secret, Pin pin) throws KeytrustException;

  /**
   * Opens what {@link #seal} made with the same key's PIN.
   *
   * @return the secret in a buffer the caller closes
   * @throws dev.keytrust.error.WrongPinException with the tries left (the TPM's, or the software
   *     key's attempt counter, which a wrong PIN here counts against too)
   * @throws dev.keytrust.error.LockedOutException with the time until the next try
   */
  SecretBuffer unseal(KeyContainer key, SealedSecret sealed, Pin pin) throws KeytrustException;

  @Override
  void close();
}
