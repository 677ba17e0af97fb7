package dev.keytrust.agent.flow;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.CustomKeyInformation;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.credential.KeySource;
import dev.keytrust.credential.KeyUsage;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds what is registered: the KeyCredentialLink of the public key the way [MS-KPP] 3.1.5.1.1.3
 * says AD FS writes it (KeyUsage NGC, KeySource AD, the device id, CustomKeyInformation {@code 01
 * 02}: version 1, flags MFA_NOT_USED, FILETIME creation and last-logon times) and the BCRYPT key
 * material a DRS-style service receives. The flow keeps the result in its journal: a rerun sends
 * this identical value, never a rebuilt one with a new time.
 */
final class CredentialStep implements FlowStep<CredentialStep.Input, KeyRegistration> {

  /**
   * @param key the user's key
   * @param userPrincipalName the user's UPN
   * @param accountName the on-premises account name, or null
   * @param deviceId the device id, or null when the device has none
   * @param now the creation time to write
   */
  record Input(KeyContainer key, String userPrincipalName, String accountName, UUID deviceId, Instant now) {
    Input {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(userPrincipalName, "userPrincipalName");
      Objects.requireNonNull(now, "now");
    }
  }

  /** The options of a Hello key as AD FS writes it. */
  static KeyCredentialOptions options(UUID deviceId, Instant now) {
    return new KeyCredentialOptions(KeyUsage.NGC, KeySource.AD, deviceId, now, now,
        CustomKeyInformation.ofFlags(CustomKeyInformation.FLAG_MFA_NOT_USED), false);
  }

  @Override
  public KeyRegistration run(Input in) throws KeytrustException {
    PublicKey publicKey = in.key().publicKey();
    KeyCredential credential = KeyCredential.build(publicKey, options(in.deviceId(), in.now()));
    byte[] keyId = in.key().keyId();
    if (!Arrays.equals(credential.keyId().orElse(null), keyId)) {
      throw new AgentException(CoreErrorCode.INTERNAL,
          "The KeyCredentialLink built for key " + in.key().keyIdHex() + " names another key id; this is a bug in"
              + " keytrust.");
    }
    return new KeyRegistration(in.userPrincipalName(), in.accountName(), BcryptKeyBlob.of(publicKey).encoded(), keyId,
        credential.toByteArray(), in.deviceId(), credential.creationTime().orElse(in.now()));
  }
}
