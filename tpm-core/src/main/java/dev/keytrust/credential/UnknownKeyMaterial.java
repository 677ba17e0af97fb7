package dev.keytrust.credential;

import java.util.Arrays;
import java.util.Objects;

/**
 * Key material this codec does not decode: an unrecognised encoding, an unsupported key type, or a
 * known encoding that is malformed. Kept as bytes; the credential still round-trips.
 *
 * @param encoded the entry's value as stored (copied)
 * @param reason why it was not decoded, for diagnostics
 */
public record UnknownKeyMaterial(byte[] encoded, String reason) implements KeyMaterial {

  /** @throws NullPointerException if an argument is null */
  public UnknownKeyMaterial {
    Objects.requireNonNull(encoded, "encoded");
    Objects.requireNonNull(reason, "reason");
    encoded = encoded.clone();
  }

  @Override
  public KeyMaterialFormat format() {
    return KeyMaterialFormat.UNKNOWN;
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
  public boolean equals(Object o) {
    return o instanceof UnknownKeyMaterial u && Arrays.equals(encoded, u.encoded) && reason.equals(u.reason);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "UnknownKeyMaterial[" + encoded.length + " bytes: " + reason + "]";
  }
}
