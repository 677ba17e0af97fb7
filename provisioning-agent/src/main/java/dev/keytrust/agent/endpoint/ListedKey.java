package dev.keytrust.agent.endpoint;

import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * A key an endpoint holds for a user, as {@link KeyRegistrationEndpoint#list} reports it: a
 * registration at a DRS-style key service, or an msDS-KeyCredentialLink value in a directory.
 * Immutable; holds no secret.
 *
 * @param keyId SHA-256 of the key material: the KeyID, as the key store names keys (32 bytes)
 * @param deviceId the device the key belongs to, or null when the endpoint does not say
 * @param created when it was created or registered, or null when unknown
 * @param source where the value came from: {@code key service}, or a directory value's KeySource
 *     ({@code AD}: written directly, e.g. by keytrust's LDAP endpoint or AD FS; {@code AzureAD}:
 *     written back by directory sync)
 * @param serverId the endpoint's own name for it: the key service's {@code kid}, or the DN of the
 *     user object that holds the value
 * @param keyMaterial the public key as the endpoint holds it (a BCRYPT key blob), or an empty array
 * @param keyCredentialLink the msDS-KeyCredentialLink blob of a directory value (what removal must
 *     match), or an empty array for a key service
 * @param endpoint the endpoint that holds it, without credentials
 */
public record ListedKey(
    byte[] keyId,
    UUID deviceId,
    Instant created,
    String source,
    String serverId,
    byte[] keyMaterial,
    byte[] keyCredentialLink,
    String endpoint) {

  public ListedKey {
    keyId = Objects.requireNonNull(keyId, "keyId").clone();
    if (keyId.length != 32) {
      throw new IllegalArgumentException("a key id is 32 bytes (SHA-256), got " + keyId.length);
    }
    Objects.requireNonNull(source, "source");
    keyMaterial = keyMaterial == null ? new byte[0] : keyMaterial.clone();
    keyCredentialLink = keyCredentialLink == null ? new byte[0] : keyCredentialLink.clone();
    Objects.requireNonNull(endpoint, "endpoint");
  }

  @Override
  public byte[] keyId() {
    return keyId.clone();
  }

  @Override
  public byte[] keyMaterial() {
    return keyMaterial.clone();
  }

  @Override
  public byte[] keyCredentialLink() {
    return keyCredentialLink.clone();
  }

  /** The key id as upper-case hex. */
  public String keyIdHex() {
    return HexFormat.of().withUpperCase().formatHex(keyId);
  }

  /** The key id as standard Base64, as Windows and DSInternals show it. */
  public String keyIdBase64() {
    return Base64.getEncoder().encodeToString(keyId);
  }

  /**
   * What {@link KeyRegistrationEndpoint#unregister} of the endpoint that listed it takes to remove
   * it, for the user {@code userPrincipalName} (or {@code accountName}).
   */
  public KeyRegistration asRegistration(String userPrincipalName, String accountName) {
    return new KeyRegistration(userPrincipalName, accountName, keyMaterial, keyId, keyCredentialLink, deviceId,
        created == null ? Instant.EPOCH : created);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ListedKey k && java.util.Arrays.equals(keyId, k.keyId) && Objects.equals(deviceId, k.deviceId)
        && Objects.equals(created, k.created) && source.equals(k.source) && Objects.equals(serverId, k.serverId)
        && java.util.Arrays.equals(keyCredentialLink, k.keyCredentialLink) && endpoint.equals(k.endpoint);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(keyId);
  }

  @Override
  public String toString() {
    return "ListedKey[" + keyIdBase64() + ", device " + deviceId + ", " + source + " at " + endpoint + "]";
  }
}
