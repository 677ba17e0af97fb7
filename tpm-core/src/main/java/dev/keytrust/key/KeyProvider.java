package dev.keytrust.key;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;

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

  @Override
  void close();
}
