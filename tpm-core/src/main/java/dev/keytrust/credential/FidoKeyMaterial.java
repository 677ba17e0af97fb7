package dev.keytrust.credential;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * A FIDO2 security key registered through Entra ID (MS-ADTS 2.2.20.5.2): UTF-8 JSON whose {@code
 * authData} is WebAuthn authenticator data with attested credential data and an ES256 (COSE EC2,
 * P-256) credential public key. Note that the KeyID of such a credential is the credential id, not
 * a SHA-256 hash.
 *
 * @param encoded the entry's value as stored (copied)
 * @param x the credential public key's X coordinate, 32 bytes big-endian (copied)
 * @param y the credential public key's Y coordinate, 32 bytes big-endian (copied)
 * @param aaguid the authenticator model (AAGUID, RFC 4122 byte order)
 * @param credentialId the WebAuthn credential id (copied)
 * @param signCount the signature counter at registration
 * @param authenticatorDataFlags the flags byte of the authenticator data (UP 0x01, UV 0x04, AT
 *     0x40, ED 0x80)
 * @param rpIdHash SHA-256 of the relying party id, 32 bytes (copied); Entra uses {@code
 *     login.microsoft.com}
 * @param displayName the {@code displayName} member, or null when absent
 */
public record FidoKeyMaterial(
    byte[] encoded,
    byte[] x,
    byte[] y,
    UUID aaguid,
    byte[] credentialId,
    long signCount,
    int authenticatorDataFlags,
    byte[] rpIdHash,
    String displayName)
    implements KeyMaterial {

  /**
   * @throws NullPointerException if an argument other than displayName is null
   * @throws IllegalArgumentException if (x, y) is not a P-256 point
   */
  public FidoKeyMaterial {
    Objects.requireNonNull(encoded, "encoded");
    EcKeyMaterial.checkPoint(x, y);
    Objects.requireNonNull(aaguid, "aaguid");
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(rpIdHash, "rpIdHash");
    encoded = encoded.clone();
    x = x.clone();
    y = y.clone();
    credentialId = credentialId.clone();
    rpIdHash = rpIdHash.clone();
  }

  @Override
  public KeyMaterialFormat format() {
    return KeyMaterialFormat.FIDO_JSON;
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public int length() {
    return encoded.length;
  }

  @Override
  public byte[] x() {
    return x.clone();
  }

  @Override
  public byte[] y() {
    return y.clone();
  }

  @Override
  public byte[] credentialId() {
    return credentialId.clone();
  }

  @Override
  public byte[] rpIdHash() {
    return rpIdHash.clone();
  }

  /** Always {@code "EC"}. */
  public String algorithm() {
    return "EC";
  }

  /** Always {@code "P-256"}. */
  public String curve() {
    return "P-256";
  }

  /** Always 256. */
  public int keyBits() {
    return 256;
  }

  /**
   * The credential public key as a JCA public key.
   *
   * @throws KeytrustException {@link CoreErrorCode#KEY_CREDENTIAL_UNSUPPORTED_KEY} when the JDK has no
   *     P-256 support
   */
  public ECPublicKey toPublicKey() throws KeytrustException {
    return EcKeys.p256PublicKey(x, y);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FidoKeyMaterial f && Arrays.equals(encoded, f.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "FidoKeyMaterial[" + encoded.length + " bytes, P-256, aaguid=" + aaguid
        + ", credentialId=" + Bytes.hex(credentialId) + ", signCount=" + signCount
        + (displayName == null ? "" : ", displayName=" + displayName) + "]";
  }
}
