package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A user's Hello key as the key store keeps it: the public half, its key id, and the private half
 * in its provider's protected form. Nothing in here is secret in clear.
 *
 * @param user the user the key belongs to
 * @param provider where the private key lives
 * @param algorithm the key algorithm
 * @param keyId SHA-256 of the BCRYPT key blob of the public key ({@link dev.keytrust.credential.BcryptKeyBlob#keyId()})
 * @param publicKeyDer the public key as DER SubjectPublicKeyInfo
 * @param createdAt when the key was created
 * @param protectedKey the provider's form of the private key
 */
public record KeyContainer(
    String user,
    ProviderKind provider,
    KeyAlgorithm algorithm,
    byte[] keyId,
    byte[] publicKeyDer,
    Instant createdAt,
    ProtectedKey protectedKey) {

  public KeyContainer {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(algorithm, "algorithm");
    keyId = Objects.requireNonNull(keyId, "keyId").clone();
    publicKeyDer = Objects.requireNonNull(publicKeyDer, "publicKeyDer").clone();
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(protectedKey, "protectedKey");
    if ((provider == ProviderKind.TPM) != (protectedKey instanceof TpmKeyBlobs)) {
      throw new IllegalArgumentException("provider " + provider + " does not match " + protectedKey);
    }
  }

  @Override
  public byte[] keyId() {
    return keyId.clone();
  }

  @Override
  public byte[] publicKeyDer() {
    return publicKeyDer.clone();
  }

  /** The key id as upper-case hex. */
  public String keyIdHex() {
    return HexFormat.of().withUpperCase().formatHex(keyId);
  }

  /** The public key as a JCA key. */
  public PublicKey publicKey() throws KeytrustException {
    try {
      String kf = algorithm == KeyAlgorithm.RSA_2048 ? "RSA" : "EC";
      return KeyFactory.getInstance(kf).generatePublic(new X509EncodedKeySpec(publicKeyDer));
    } catch (java.security.GeneralSecurityException e) {
      throw new KeytrustException(
          CoreErrorCode.STORE_CORRUPT,
          "The stored public key of user '" + user + "' does not decode as " + algorithm.id()
              + ": the key file is damaged. Delete the key and create a new one.",
          e);
    }
  }

  /** The public key as PEM SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}). */
  public String publicKeyPem() {
    String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(publicKeyDer);
    return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
  }

  @Override
  public String toString() {
    return "KeyContainer[user=" + user + ", provider=" + provider.id() + ", algorithm=" + algorithm.id()
        + ", keyId=" + keyIdHex() + ", created=" + createdAt + ", " + protectedKey + "]";
  }
}
