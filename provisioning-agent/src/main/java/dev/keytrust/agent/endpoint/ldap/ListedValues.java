package dev.keytrust.agent.endpoint.ldap;

import dev.keytrust.agent.endpoint.ListedKey;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.credential.KeySource;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's msDS-KeyCredentialLink values as {@link ListedKey}s: each DN-Binary value's blob parsed
 * for its KeyID, DeviceId, creation time and KeySource. Values that are no DN-Binary string, no
 * key credential or have no KeyID cannot be named by a key id and are left out.
 */
final class ListedValues {
  private ListedValues() {}

  static List<ListedKey> of(DirectoryUser user, String endpoint) {
    List<ListedKey> out = new ArrayList<>();
    for (String raw : user.keyCredentialLinks()) {
      try {
        DnBinary value = DnBinary.parse(raw);
        KeyCredential kc = KeyCredential.parse(value.binary());
        if (kc.keyId().isEmpty() || kc.keyId().get().length != 32) {
          continue;
        }
        String source = switch (kc.source().orElse(KeySource.UNKNOWN)) {
          case AD -> "AD";
          case AZURE_AD -> "AzureAD";
          default -> "unknown";
        };
        out.add(new ListedKey(kc.keyId().get(), kc.deviceId().orElse(null), kc.creationTime().orElse(null), source,
            value.dn(), kc.keyMaterial().map(m -> m.encoded()).orElse(null), value.binary(), endpoint));
      } catch (KeyCredentialFormatException | IllegalArgumentException e) {
        // not a key credential keytrust can name: not listed
      }
    }
    return out;
  }
}
