package dev.keytrust.lab.keyservice;

import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * A registered key.
 *
 * @param kid the service's GUID for it
 * @param upn the user it belongs to (from the token)
 * @param deviceId the device (from the token)
 * @param keyMaterial the BCRYPT_RSAKEY_BLOB
 * @param keyId SHA-256 of the key material
 * @param registeredAt when it was first registered
 */
public record RegisteredKey(
    UUID kid, String upn, UUID deviceId, byte[] keyMaterial, byte[] keyId, Instant registeredAt) {
  public RegisteredKey {
    keyMaterial = keyMaterial.clone();
    keyId = keyId.clone();
  }

  @Override
  public byte[] keyMaterial() {
    return keyMaterial.clone();
  }

  @Override
  public byte[] keyId() {
    return keyId.clone();
  }

  /** The key id in standard Base64, as keytrust shows it. */
  public String keyIdBase64() {
    return Base64.getEncoder().encodeToString(keyId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RegisteredKey r
        && kid.equals(r.kid)
        && upn.equals(r.upn)
        && Objects.equals(deviceId, r.deviceId)
        && Arrays.equals(keyMaterial, r.keyMaterial)
        && registeredAt.equals(r.registeredAt);
  }

  @Override
  public int hashCode() {
    return kid.hashCode();
  }

  @Override
  public String toString() {
    return "RegisteredKey[kid=" + kid + ", upn=" + upn + ", keyId=" + keyIdBase64() + "]";
  }
}
