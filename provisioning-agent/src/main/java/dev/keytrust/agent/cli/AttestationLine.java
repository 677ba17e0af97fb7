package dev.keytrust.agent.cli;

import dev.keytrust.agent.flow.AttestationStatus;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * The "Attested" line of {@code keytrust status} for the user's key: {@code yes (AIK issued by ...,
 * EK from ...)}, or {@code no: <why>} from the attestation record provisioning wrote, or why there
 * is none.
 */
final class AttestationLine {
  private AttestationLine() {}

  /**
   * The line and, when a record exists, the record.
   *
   * @param text the line
   * @param status the record about the current key, or empty
   */
  record Line(String text, Optional<AttestationStatus> status) {}

  static Line of(Path storeRoot, String user, KeyContainer key) {
    if (key.provider() != ProviderKind.TPM) {
      return new Line("no: a software key cannot be attested (its private key is not in a TPM)", Optional.empty());
    }
    Optional<AttestationStatus> s;
    try {
      s = AttestationStatus.read(new KeyContainerStore(storeRoot), user);
    } catch (KeytrustException e) {
      return new Line("unknown: the attestation record cannot be read (" + e.code().id() + ")", Optional.empty());
    }
    String keyId = Base64.getEncoder().encodeToString(key.keyId());
    if (s.isEmpty() || !s.get().keyIdBase64().equals(keyId)) {
      return new Line("no: not attested (the endpoint was used with attest=off, or offers no attestation)",
          Optional.empty());
    }
    return new Line(s.get().summary(), s);
  }
}
