package dev.keytrust.key;

import java.util.Objects;

/**
 * A software private key (PKCS#8) encrypted with AES-256-GCM under a key derived from the PIN
 * with Argon2id. The GCM additional data binds the ciphertext to the key id, user and algorithm.
 *
 * @param kdf the Argon2id cost parameters used for this key
 * @param salt the Argon2id salt (16 bytes)
 * @param nonce the AES-GCM nonce (12 bytes)
 * @param ciphertext the encrypted PKCS#8 private key with the 16-byte GCM tag appended
 */
public record SoftwareKeyBlob(Argon2Parameters kdf, byte[] salt, byte[] nonce, byte[] ciphertext)
    implements ProtectedKey {
  public SoftwareKeyBlob {
    Objects.requireNonNull(kdf, "kdf");
    salt = Objects.requireNonNull(salt, "salt").clone();
    nonce = Objects.requireNonNull(nonce, "nonce").clone();
    ciphertext = Objects.requireNonNull(ciphertext, "ciphertext").clone();
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
  public String toString() {
    return "SoftwareKeyBlob[" + kdf + ", ciphertext=" + ciphertext.length + " B]";
  }
}
