package dev.keytrust.key;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A software private key (PKCS#8) encrypted with AES-256-GCM under a key derived from the PIN
 * with Argon2id. The GCM additional data binds the ciphertext to the key id, user and algorithm.
 *
 * @param kdf the Argon2id cost parameters used for this key
 * @param salt the Argon2id salt (16 bytes)
 * @param nonce the AES-GCM nonce (12 bytes)
 * @param ciphertext the encrypted PKCS#8 private key with the 16-byte GCM tag appended
 * @param counterId SHA-256 of the secret of this key's attempt counter (32 bytes), stored in the
 *     key file: a stored software key always has an attempt counter, and only that one counts
 * @param initialState the attempt counter's first files, written by the store before the key
 *     file ({@link ProtectedKey#initialState()}); empty for a key read back from the store. They
 *     hold the counter's MAC key, which is kept in clear on disk anyway; never the PIN or the key
 */
public record SoftwareKeyBlob(
    Argon2Parameters kdf, byte[] salt, byte[] nonce, byte[] ciphertext, byte[] counterId,
    Map<String, byte[]> initialState) implements ProtectedKey {
  /** Length of {@link #counterId()}. */
  public static final int COUNTER_ID_LENGTH = 32;

  public SoftwareKeyBlob {
    Objects.requireNonNull(kdf, "kdf");
    salt = Objects.requireNonNull(salt, "salt").clone();
    nonce = Objects.requireNonNull(nonce, "nonce").clone();
    ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
    counterId = Objects.requireNonNull(counterId, "counterId").clone();
    if (counterId.length != COUNTER_ID_LENGTH) {
      throw new IllegalArgumentException("counterId must be " + COUNTER_ID_LENGTH + " bytes, was " + counterId.length);
    }
    initialState = copy(Objects.requireNonNull(initialState, "initialState"));
  }

  /** A blob as read from the store: no initial state to write. */
  public SoftwareKeyBlob(Argon2Parameters kdf, byte[] salt, byte[] nonce, byte[] ciphertext, byte[] counterId) {
    this(kdf, salt, nonce, ciphertext, counterId, Map.of());
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public byte[] counterId() {
    return counterId.clone();
  }

  /** A copy: the caller may wipe the arrays it gets. */
  @Override
  public Map<String, byte[]> initialState() {
    return copy(initialState);
  }

  private static Map<String, byte[]> copy(Map<String, byte[]> files) {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    files.forEach((name, content) -> copy.put(Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(content, "content").clone()));
    return Collections.unmodifiableMap(copy);
  }

  @Override
  public String toString() {
    return "SoftwareKeyBlob[" + kdf + ", ciphertext=" + ciphertext.length + " B]";
  }
}
