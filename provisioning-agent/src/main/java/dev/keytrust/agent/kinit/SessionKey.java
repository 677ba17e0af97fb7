package dev.keytrust.agent.kinit;

import dev.keytrust.secret.SecretAccess;
import dev.keytrust.secret.SecretBuffer;
import java.util.Objects;

/**
 * A ticket's session key: its enctype and the key bytes in a {@link SecretBuffer} (locked native
 * memory when keytrust-native is there). {@link #close()} wipes it; {@code toString} never shows
 * the bytes.
 */
public final class SessionKey implements AutoCloseable {
  private final int etype;
  private final SecretBuffer key;

  /** Takes over {@code key}. */
  public SessionKey(int etype, SecretBuffer key) {
    this.etype = etype;
    this.key = Objects.requireNonNull(key, "key");
  }

  /** The enctype number, e.g. 18 for aes256-cts-hmac-sha1-96. */
  public int etype() {
    return etype;
  }

  /** The enctype's name, e.g. {@code aes256-cts-hmac-sha1-96}. */
  public String etypeName() {
    return Enctypes.name(etype);
  }

  /** The key length in bytes. */
  public int length() {
    return key.size();
  }

  /** A heap copy of the key bytes for writing a credential cache; the caller zeroes it. */
  public byte[] copy(SecretAccess access) {
    return key.copy(access);
  }

  @Override
  public void close() {
    key.close();
  }

  @Override
  public String toString() {
    return "SessionKey[" + etypeName() + ", " + key + "]";
  }
}
