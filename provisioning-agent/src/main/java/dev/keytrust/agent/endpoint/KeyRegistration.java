package dev.keytrust.agent.endpoint;

import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * What an endpoint registers: one user's public key in the forms the endpoints need. Immutable; the
 * byte arrays are copied in and out. Holds no secret.
 *
 * @param userPrincipalName the user's UPN, e.g. {@code alice@contoso.com}; the DRS-style service finds
 *     the user from its token, the LDAP endpoint searches by it (or by {@code accountName})
 * @param accountName the on-premises account name (sAMAccountName) or {@code null} when unknown
 * @param keyMaterial the public key as a BCRYPT_RSAKEY_BLOB ({@code RSA1}) or BCRYPT_ECCKEY_BLOB
 *     ({@code ECS1}): what DRS receives as {@code kngc}
 * @param keyId SHA-256 of {@code keyMaterial}: the KeyID entry of the KeyCredentialLink and the
 *     {@code kid} of later sign-in assertions
 * @param keyCredentialLink the KEYCREDENTIALLINK_BLOB (binary, not the DN-binary string) the LDAP
 *     endpoint writes to msDS-KeyCredentialLink with the user's DN
 * @param deviceId the device the key belongs to, or {@code null}
 * @param createdAt when the key was created
 */
public record KeyRegistration(
    String userPrincipalName,
    String accountName,
    byte[] keyMaterial,
    byte[] keyId,
    byte[] keyCredentialLink,
    UUID deviceId,
    Instant createdAt) {

  public KeyRegistration {
    Objects.requireNonNull(userPrincipalName, "userPrincipalName");
    Objects.requireNonNull(createdAt, "createdAt");
    keyMaterial = Objects.requireNonNull(keyMaterial, "keyMaterial").clone();
    keyId = Objects.requireNonNull(keyId, "keyId").clone();
    keyCredentialLink = Objects.requireNonNull(keyCredentialLink, "keyCredentialLink").clone();
    if (keyId.length != 32) {
      throw new IllegalArgumentException("a key id is 32 bytes (SHA-256), got " + keyId.length);
    }
  }

  @Override
  public byte[] keyMaterial() {
    return keyMaterial.clone();
  }

  @Override
  public byte[] keyId() {
    return keyId.clone();
  }

  @Override
  public byte[] keyCredentialLink() {
    return keyCredentialLink.clone();
  }

  /** The key id as standard Base64, as sign-in assertions and DSInternals show it. */
  public String keyIdBase64() {
    return Base64.getEncoder().encodeToString(keyId);
  }

  /** The key id as upper-case hex. */
  public String keyIdHex() {
    return HexFormat.of().withUpperCase().formatHex(keyId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRegistration r
        && userPrincipalName.equals(r.userPrincipalName)
        && Objects.equals(accountName, r.accountName)
        && Arrays.equals(keyMaterial, r.keyMaterial)
        && Arrays.equals(keyId, r.keyId)
        && Arrays.equals(keyCredentialLink, r.keyCredentialLink)
        && Objects.equals(deviceId, r.deviceId)
        && createdAt.equals(r.createdAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(userPrincipalName, Arrays.hashCode(keyId));
  }

  @Override
  public String toString() {
    return "KeyRegistration[user=" + userPrincipalName + ", keyId=" + keyIdBase64() + "]";
  }
}
