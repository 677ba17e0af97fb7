package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A small secret sealed with a user's PIN by {@link HelloKeys#seal}: nothing in it is secret in
 * clear, and nothing in it lets anyone check a PIN guess without the TPM (or, for the software
 * provider, without paying the key's Argon2id cost per guess).
 *
 * <ul>
 *   <li>{@link ProviderKind#TPM}: a sealed data object under the storage root key of the user's
 *       key (KEYEDHASH, fixedTPM | fixedParent | userWithAuth, no noDA), whose auth value is
 *       derived from the PIN with {@link PinAuth} and its own salt. Only that TPM releases the
 *       secret, only with the PIN, and it counts every wrong PIN in its dictionary-attack lockout.
 *       The body is {@code u32 parentHandle, u16+parentName, u16+publicArea, u16+privateArea
 *       (TPM2B_PRIVATE, with its own size prefix), authSalt (16)}.
 *   <li>{@link ProviderKind#SOFTWARE}: AES-256-GCM under Argon2id(PIN) at the cost of the user's
 *       software key; the body is {@code u32 memoryKiB, u32 iterations, u32 parallelism, salt (16),
 *       nonce (12), ciphertext || tag}.
 * </ul>
 *
 * <p>{@link #keyId()} names the user key whose PIN sealed it: once the PIN changes (a new key),
 * {@link HelloKeys#unseal} refuses it with {@code SEALED_SECRET_STALE} before any PIN is tried.
 * {@link #encode()} gives one printable line for a state file; {@link #decode} reads it back.
 */
public final class SealedSecret {
  static final String PREFIX = "keytrust-sealed-secret-v1";

  private final ProviderKind provider;
  private final byte[] keyId;
  private final byte[] body;

  SealedSecret(ProviderKind provider, byte[] keyId, byte[] body) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.keyId = Objects.requireNonNull(keyId, "keyId").clone();
    this.body = Objects.requireNonNull(body, "body").clone();
  }

  public ProviderKind provider() {
    return provider;
  }

  /** The key id of the user key whose PIN sealed this secret. */
  public byte[] keyId() {
    return keyId.clone();
  }

  /** The key id in upper-case hex, as {@link KeyContainer#keyIdHex()}. */
  public String keyIdHex() {
    return HexFormat.of().withUpperCase().formatHex(keyId);
  }

  byte[] body() {
    return body.clone();
  }

  /** {@code keytrust-sealed-secret-v1:<provider>:<key id hex>:<base64 body>}. */
  public String encode() {
    return PREFIX + ":" + provider.id() + ":" + keyIdHex() + ":" + Base64.getEncoder().encodeToString(body);
  }

  /**
   * Reads what {@link #encode()} wrote.
   *
   * @throws KeytrustException STORE_CORRUPT when it is not a sealed secret
   */
  public static SealedSecret decode(String encoded) throws KeytrustException {
    String[] parts = encoded == null ? new String[0] : encoded.split(":", -1);
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      throw corrupt("it is not a " + PREFIX + " value");
    }
    try {
      SealedSecret s = new SealedSecret(ProviderKind.fromId(parts[1]), HexFormat.of().parseHex(parts[2]),
          Base64.getDecoder().decode(parts[3]));
      if (s.keyId.length != 32 || s.body.length == 0) {
        throw corrupt("its key id or body is missing");
      }
      return s;
    } catch (IllegalArgumentException e) {
      throw corrupt(e.getMessage());
    }
  }

  // ---- the providers' bodies ---------------------------------------------------------------------

  static byte[] tpmBody(TpmKeyBlobs sealed) {
    byte[] name = sealed.parentName();
    byte[] pub = sealed.publicArea();
    byte[] priv = sealed.privateArea();
    return ByteBuffer.allocate(4 + 2 + name.length + 2 + pub.length + 2 + priv.length + PinAuth.SALT_LENGTH)
        .putInt(sealed.parentHandle())
        .putShort((short) name.length).put(name)
        .putShort((short) pub.length).put(pub)
        .putShort((short) priv.length).put(priv)
        .put(sealed.authSalt())
        .array();
  }

  /** The sealed data object's blobs and auth salt (a {@link TpmKeyBlobs} of a KEYEDHASH object). */
  TpmKeyBlobs tpmBlobs() throws KeytrustException {
    try {
      ByteBuffer b = ByteBuffer.wrap(body);
      int handle = b.getInt();
      byte[] name = sized(b);
      byte[] pub = sized(b);
      byte[] priv = sized(b);
      byte[] salt = new byte[PinAuth.SALT_LENGTH];
      b.get(salt);
      if (b.hasRemaining()) {
        throw corrupt("it has trailing bytes");
      }
      return new TpmKeyBlobs(handle, name, pub, priv, salt);
    } catch (BufferUnderflowException e) {
      throw corrupt("it is truncated");
    }
  }

  static byte[] softwareBody(Argon2Parameters kdf, byte[] salt, byte[] nonce, byte[] ciphertext) {
    return ByteBuffer.allocate(12 + salt.length + nonce.length + ciphertext.length)
        .putInt(kdf.memoryKiB()).putInt(kdf.iterations()).putInt(kdf.parallelism())
        .put(salt).put(nonce).put(ciphertext)
        .array();
  }

  /** The software body: its cost, salt, nonce and ciphertext. */
  record Software(Argon2Parameters kdf, byte[] salt, byte[] nonce, byte[] ciphertext) {}

  Software softwareParts(int saltLength, int nonceLength, int tagLength) throws KeytrustException {
    try {
      ByteBuffer b = ByteBuffer.wrap(body);
      Argon2Parameters kdf = new Argon2Parameters(b.getInt(), b.getInt(), b.getInt());
      byte[] salt = new byte[saltLength];
      byte[] nonce = new byte[nonceLength];
      b.get(salt).get(nonce);
      if (b.remaining() <= tagLength) {
        throw corrupt("its ciphertext is missing");
      }
      byte[] ciphertext = new byte[b.remaining()];
      b.get(ciphertext);
      return new Software(kdf, salt, nonce, ciphertext);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt("its cost, salt or nonce is damaged");
    }
  }

  private static byte[] sized(ByteBuffer b) {
    byte[] out = new byte[b.getShort() & 0xFFFF];
    b.get(out);
    return out;
  }

  private static KeytrustException corrupt(String why) {
    return new KeytrustException(CoreErrorCode.STORE_CORRUPT,
        "A sealed secret is damaged (" + why + "): it cannot be opened; remove the file that holds it.");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SealedSecret s && s.provider == provider && Arrays.equals(s.keyId, keyId)
        && Arrays.equals(s.body, body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, Arrays.hashCode(keyId), Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "SealedSecret[" + provider.id() + ", key " + keyIdHex() + ", " + body.length + " B]";
  }
}
