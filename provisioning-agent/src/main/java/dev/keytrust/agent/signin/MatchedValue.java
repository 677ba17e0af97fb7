package dev.keytrust.agent.signin;

import dev.keytrust.credential.KeySource;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * The msDS-KeyCredentialLink value that holds the user's key. Public data only.
 *
 * @param index its position among the user's values, from 1
 * @param of how many values the user has
 * @param keyId the value's KeyID (SHA-256 of the key material)
 * @param source who wrote it: {@code AD} (on-premises) or {@code AZURE_AD} (Entra Connect sync)
 * @param creationTime the value's KeyCreationTime, or null
 * @param deviceId the value's DeviceId, or null
 * @param ownerDn the DN part of the DN-Binary value
 * @param keyAlgorithm the key material's algorithm, e.g. {@code RSA} or {@code EC}
 */
public record MatchedValue(int index, int of, byte[] keyId, KeySource source, Instant creationTime,
    UUID deviceId, String ownerDn, String keyAlgorithm) {

  public MatchedValue {
    keyId = Objects.requireNonNull(keyId, "keyId").clone();
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(ownerDn, "ownerDn");
  }

  @Override
  public byte[] keyId() {
    return keyId.clone();
  }

  public String keyIdHex() {
    return HexFormat.of().withUpperCase().formatHex(keyId);
  }

  public String keyIdBase64() {
    return Base64.getEncoder().encodeToString(keyId);
  }

  /** {@code AD}, {@code AzureAD} or {@code unknown}. */
  public String sourceName() {
    return switch (source) {
      case AD -> "AD";
      case AZURE_AD -> "AzureAD";
      default -> "unknown";
    };
  }

  /** One line: which value, key id, source and creation time. */
  public String describe() {
    return "value " + index + " of " + of + ", key id " + keyIdBase64() + ", source " + sourceName()
        + ", created " + (creationTime == null ? "unknown" : creationTime.toString());
  }
}
