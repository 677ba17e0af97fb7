package dev.keytrust.credential;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What {@link KeyCredential#build} puts next to the key. Use {@link #userKey} or {@link
 * #computerKey} for the two standard shapes, or the constructor for anything else; {@link
 * KeyCredential#build} checks the combination.
 *
 * @param usage the KeyUsage; not {@link KeyUsage#UNKNOWN}
 * @param source the KeySource; not {@link KeySource#UNKNOWN}. It selects the timestamp encoding:
 *     FILETIME for {@link KeySource#AD}, .NET {@code ToBinary} (kind UTC) for {@link
 *     KeySource#AZURE_AD}
 * @param deviceId the DeviceId entry, or null for none
 * @param creationTime the KeyCreationTime entry (100-ns precision; finer digits are dropped)
 * @param lastLogonTime the KeyApproximateLastLogonTimeStamp entry, or null for none
 * @param customKeyInformation the CustomKeyInformation entry, or null for none
 * @param pkcs1Material true to encode an RSA key as DER PKCS#1 RSAPublicKey (computer keys) instead
 *     of a BCRYPT_RSAKEY_BLOB; must be false for P-256 keys
 */
public record KeyCredentialOptions(
    KeyUsage usage,
    KeySource source,
    UUID deviceId,
    Instant creationTime,
    Instant lastLogonTime,
    CustomKeyInformation customKeyInformation,
    boolean pkcs1Material) {

  /** @throws NullPointerException if usage, source or creationTime is null */
  public KeyCredentialOptions {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(creationTime, "creationTime");
  }

  /**
   * A Windows Hello for Business user key as on-premises writers produce it (DSInternals user
   * mode): NGC, source AD, BCRYPT key blob, the device id, CustomKeyInformation {@code 01 00}, and
   * LastLogon equal to the creation time.
   *
   * @param deviceId the device the key lives on, or null for none
   * @param creationTime when the key was created
   */
  public static KeyCredentialOptions userKey(UUID deviceId, Instant creationTime) {
    return new KeyCredentialOptions(
        KeyUsage.NGC, KeySource.AD, deviceId, creationTime, creationTime,
        CustomKeyInformation.ofFlags(0), false);
  }

  /**
   * A computer key that passes the validated write a computer may do on its own
   * msDS-KeyCredentialLink (rules in force since January 2026): NGC, source AD, DER PKCS#1 key
   * material (RSA only), CustomKeyInformation exactly {@code 01 02} (MFA not used), no LastLogon,
   * no DeviceId.
   *
   * @param creationTime when the key was created
   */
  public static KeyCredentialOptions computerKey(Instant creationTime) {
    return new KeyCredentialOptions(
        KeyUsage.NGC, KeySource.AD, null, creationTime, null,
        CustomKeyInformation.ofFlags(CustomKeyInformation.FLAG_MFA_NOT_USED), true);
  }
}
