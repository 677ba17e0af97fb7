package dev.keytrust.key;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmSession;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;

/**
 * User keys inside a TPM. The key is created by TPM2_Create under the storage root key with
 * fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign and without noDA, so the
 * private key never leaves the TPM and every wrong PIN counts against the TPM's dictionary-attack
 * protection. The key's auth value is derived from the PIN with {@link PinAuth} into a {@link
 * SecretBuffer} that the TPM session takes as it is, as the key of an HMAC in a session salted to
 * the storage root key: it never crosses the bus ({@link TpmSession}). Keys made before keytrust
 * used these sessions are the same TPM objects and sign the same way.
 */
public final class TpmKeyProvider implements KeyProvider {
  private final TpmSession session;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** The provider uses, but does not own, the session: the caller closes it. */
  public TpmKeyProvider(TpmSession session, Clock clock) {
    this.session = Objects.requireNonNull(session, "session");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public TpmKeyProvider(TpmSession session) {
    this(session, Clock.systemUTC());
  }

  @Override
  public ProviderKind kind() {
    return ProviderKind.TPM;
  }

  @Override
  public KeyContainer create(String user, KeyAlgorithm algorithm, Pin pin) throws KeytrustException {
    Objects.requireNonNull(algorithm, "algorithm");
    byte[] salt = new byte[PinAuth.SALT_LENGTH];
    random.nextBytes(salt);
    TpmSession.CreatedKey k;
    try (SecretBuffer auth = PinAuth.derive(pin, salt)) {
      k = session.createSigningKey(algorithm.tpmKeyType(), auth);
    }
    TpmKeyBlobs blobs = new TpmKeyBlobs(k.key(), salt);
    return new KeyContainer(
        user, ProviderKind.TPM, algorithm, BcryptKeyBlob.keyId(k.publicKey()), k.publicKey().getEncoded(),
        clock.instant(), blobs);
  }

  @Override
  public byte[] signDigest(KeyContainer key, byte[] sha256, Pin pin) throws KeytrustException {
    TpmKeyBlobs blobs = tpmBlobs(key);
    try (SecretBuffer auth = PinAuth.derive(pin, blobs.authSalt())) {
      return session.signDigest(blobs.loadable(), auth, sha256);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>A sealed data object under the storage root key of {@code key}'s algorithm, with its own
   * auth salt: auth value = {@link PinAuth#derive}(PIN, that salt). TPM2_Create carries the auth
   * value and the secret only in its session-encrypted inSensitive.
   */
  @Override
  public SealedSecret seal(KeyContainer key, SecretBuffer secret, Pin pin) throws KeytrustException {
    tpmBlobs(key);
    checkSecret(secret);
    byte[] salt = new byte[PinAuth.SALT_LENGTH];
    random.nextBytes(salt);
    LoadableKey sealed;
    try (SecretBuffer auth = PinAuth.derive(pin, salt)) {
      sealed = session.createSealedObject(key.algorithm().tpmKeyType(), auth, secret);
    }
    return new SealedSecret(ProviderKind.TPM, key.keyId(), SealedSecret.tpmBody(new TpmKeyBlobs(sealed, salt)));
  }

  /** {@inheritDoc} TPM2_Load and TPM2_Unseal in one salted session; the result comes back encrypted. */
  @Override
  public SecretBuffer unseal(KeyContainer key, SealedSecret sealed, Pin pin) throws KeytrustException {
    tpmBlobs(key);
    if (sealed.provider() != ProviderKind.TPM) {
      throw new KeytrustException(CoreErrorCode.KEY_PROVIDER_MISMATCH,
          "The secret was sealed by the " + sealed.provider().id() + " provider, not the TPM.");
    }
    TpmKeyBlobs blobs = sealed.tpmBlobs();
    try (SecretBuffer auth = PinAuth.derive(pin, blobs.authSalt())) {
      return session.unseal(blobs.loadable(), auth);
    }
  }

  static void checkSecret(SecretBuffer secret) throws KeytrustException {
    Objects.requireNonNull(secret, "secret");
    if (secret.size() == 0 || secret.size() > MAX_SEALED_SECRET) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "A sealed secret is 1 to " + MAX_SEALED_SECRET + " bytes, not " + secret.size() + ".");
    }
  }

  private static TpmKeyBlobs tpmBlobs(KeyContainer key) throws KeytrustException {
    if (!(key.protectedKey() instanceof TpmKeyBlobs blobs)) {
      throw new KeytrustException(
          CoreErrorCode.KEY_PROVIDER_MISMATCH,
          "The key of user '" + key.user() + "' is a " + key.provider().id() + " key, not a TPM key: open it with"
              + " the TPM URI '" + key.provider().id() + "'.");
    }
    return blobs;
  }

  @Override
  public void close() {
    // the session belongs to the caller
  }
}
