package dev.keytrust.key;

import dev.keytrust.attest.AttestationAuthority;
import dev.keytrust.attest.AttestationKey;
import dev.keytrust.attest.AttestationKeyStore;
import dev.keytrust.attest.KeyAttestationStatement;
import dev.keytrust.attest.KeyAttestor;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point for applications: one user's Hello key, created, used and removed through the
 * provider a {@link TpmUri} selects, and kept in a {@link KeyContainerStore}.
 *
 * <p>Signing a sign-in challenge with the user's key, unlocked by the PIN the user typed ({@code
 * tpm} is e.g. {@code TpmUri.parse("device:/dev/tpmrm0")}, {@code keyStore} {@link
 * KeyContainerStore#defaultRoot()}; the key was made by the agent's {@code ProvisioningFlow} or by
 * {@link #create}; the example in examples/embedding, {@code EmbeddingAgent.sign}):
 *
 * <pre>{@code
 * try (Pin pin = Pin.moveFrom(typedPin); HelloKeys keys = HelloKeys.open(tpm, keyStore)) {
 *   return keys.sign(user, challenge, pin);
 * }
 * }</pre>
 *
 * <p>Creating a key without the provisioning flow (no MFA, PIN rules or registration):
 *
 * <pre>{@code
 * try (HelloKeys keys = HelloKeys.open(TpmUri.parse("mssim://127.0.0.1:2321"), KeyContainerStore.defaultRoot());
 *     Pin pin = Pin.moveFrom(console.readPassword("PIN: "))) {
 *   KeyContainer key = keys.create("alice", KeyAlgorithm.RSA_2048, pin);
 *   byte[] signature = keys.sign("alice", challenge, pin);
 * }
 * }</pre>
 *
 * <p>PINs are never kept; the caller destroys them.
 *
 * <p><b>Threads and lifecycle.</b> Thread-safe: threads may share one instance, for different users
 * or the same one. An instance opened on a TPM holds a {@link TpmSession}, that is a connection to
 * the TPM, until {@link #close()}: always close it (try-with-resources). Keeping one open for the
 * agent's lifetime and opening one per operation both work. When two threads create keys or sign
 * for different users at once, through one instance or two, both succeed: their TPM commands run
 * one at a time (a signature's load, sign and flush as a whole, see {@link TpmSession}), so each
 * may wait for the other's, and key store writes take the store's lock. On a simulator ({@code
 * mssim:}, {@code unix:}), which serves one connection at a time, the instances of one JVM on the
 * same URI share one connection instead of waiting for each other to close. For the same user at
 * once: a second {@link #create} fails with {@code KEY_EXISTS}; signatures all succeed, and each
 * wrong PIN counts against the TPM's (or the software key's) lockout.
 */
public final class HelloKeys implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HelloKeys.class);

  private final KeyContainerStore store;
  private final KeyProvider provider;
  private final TpmSession session; // null for the software provider
  private final String description;

  private HelloKeys(KeyContainerStore store, KeyProvider provider, TpmSession session, String description) {
    this.store = store;
    this.provider = provider;
    this.session = session;
    this.description = description;
  }

  /**
   * Opens the provider {@code tpm} names (the TPM, or {@code software}) over the store at {@code
   * storeRoot}, with {@link dev.keytrust.tpm.TpmTransports#DEFAULT_IO_TIMEOUT}.
   *
   * @throws KeytrustException {@code TPM_UNREACHABLE} and the other TPM codes when the TPM cannot
   *     be opened
   */
  public static HelloKeys open(TpmUri tpm, Path storeRoot) throws KeytrustException {
    return open(tpm, storeRoot, dev.keytrust.tpm.TpmTransports.DEFAULT_IO_TIMEOUT);
  }

  /**
   * Opens the provider {@code tpm} names over the store at {@code storeRoot}; the caller must
   * {@link #close()} it.
   *
   * @param ioTimeout how long one TPM command may take (RSA key generation on a slow TPM takes
   *     seconds)
   */
  public static HelloKeys open(TpmUri tpm, Path storeRoot, Duration ioTimeout) throws KeytrustException {
    Objects.requireNonNull(tpm, "tpm");
    KeyContainerStore store = new KeyContainerStore(storeRoot);
    if (tpm.isSoftware()) {
      return new HelloKeys(store, new SoftwareKeyProvider(store), null, "software");
    }
    TpmSession session = TpmSession.open(tpm, ioTimeout);
    return new HelloKeys(store, new TpmKeyProvider(session, Clock.systemUTC()), session, session.describe());
  }

  /** Wraps a provider the caller built (tests, custom Argon2 costs); the caller closes the session. */
  public static HelloKeys of(KeyContainerStore store, KeyProvider provider, String description) {
    return new HelloKeys(Objects.requireNonNull(store), Objects.requireNonNull(provider), null, description);
  }

  public ProviderKind providerKind() {
    return provider.kind();
  }

  /** The TPM this instance talks to, or {@code software}. */
  public String tpmDescription() {
    return description;
  }

  public KeyContainerStore store() {
    return store;
  }

  /**
   * Creates and stores a new key for {@code user}: the provider makes it, then {@link
   * KeyContainerStore#save} writes the provider's state for it (a software key's attempt counter)
   * and links the key file last, so a crash leaves either no key or a complete one.
   *
   * @throws KeytrustException {@code KEY_EXISTS} when the user already has a key
   */
  public KeyContainer create(String user, KeyAlgorithm algorithm, Pin pin) throws KeytrustException {
    Objects.requireNonNull(pin, "pin");
    store.requireNoKey(user);
    LOG.info("creating a {} key for user '{}' with the {} provider", algorithm.id(), user, provider.kind().id());
    KeyContainer key = provider.create(user, algorithm, pin);
    store.save(key); // logs the key id
    return key;
  }

  /**
   * Signs SHA-256({@code message}) with the user's key after checking the PIN, and verifies the
   * signature against the stored public key before returning it.
   *
   * @return PKCS#1 v1.5 (RSA) or DER ECDSA signature bytes
   */
  public byte[] sign(String user, byte[] message, Pin pin) throws KeytrustException {
    Objects.requireNonNull(message, "message");
    KeyContainer key = store.load(user);
    requireProvider(key);
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(message);
    } catch (GeneralSecurityException e) {
      throw new dev.keytrust.error.KeytrustBugException("SHA-256 missing from the JDK", e);
    }
    byte[] signature = provider.signDigest(key, digest, pin);
    verify(key, message, signature);
    return signature;
  }

  private static void verify(KeyContainer key, byte[] message, byte[] signature) throws KeytrustException {
    try {
      Signature v = Signature.getInstance(key.algorithm().jcaSignatureAlgorithm());
      v.initVerify(key.publicKey());
      v.update(message);
      if (v.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // fall through to the error below
    }
    throw new KeytrustException(
        CoreErrorCode.TPM_COMMAND_FAILED,
        "The signature made with the key of user '" + key.user() + "' does not verify with its stored public key: "
            + "the key store and the key disagree. Delete the key and create a new one.");
  }

  /**
   * Seals a small secret (1 to {@link KeyProvider#MAX_SEALED_SECRET} bytes) with the PIN of the
   * user's key, so that only that PIN, checked as this provider checks the key's PIN, releases it:
   * in the TPM, a sealed data object under the key's storage root key, counted by the TPM's
   * dictionary-attack protection; in software, AES-GCM under Argon2id(PIN) at the key's cost. The
   * PIN is not checked here: pass the PIN the key was just created with or that just signed.
   *
   * @return the sealed form, bound to the user's current key; store it as {@link SealedSecret#encode()}
   */
  public SealedSecret seal(String user, dev.keytrust.secret.SecretBuffer secret, Pin pin) throws KeytrustException {
    Objects.requireNonNull(pin, "pin");
    KeyContainer key = store.load(user);
    requireProvider(key);
    return provider.seal(key, secret, pin);
  }

  /**
   * Opens what {@link #seal} made, with the PIN of the user's key.
   *
   * @return the secret in a buffer the caller closes
   * @throws KeytrustException SEALED_SECRET_STALE (before any PIN is tried) when it was sealed with
   *     the PIN of another key of the user; KEY_PROVIDER_MISMATCH when another provider sealed it;
   *     WRONG_PIN with the tries left; LOCKED_OUT
   */
  public dev.keytrust.secret.SecretBuffer unseal(String user, SealedSecret sealed, Pin pin) throws KeytrustException {
    Objects.requireNonNull(sealed, "sealed");
    Objects.requireNonNull(pin, "pin");
    KeyContainer key = store.load(user);
    requireProvider(key);
    if (!MessageDigest.isEqual(sealed.keyId(), key.keyId())) {
      throw new KeytrustException(CoreErrorCode.SEALED_SECRET_STALE,
          "The secret was sealed with the PIN of key " + sealed.keyIdHex() + ", not of user '" + user + "''s current key "
              + key.keyIdHex() + ": the current PIN cannot open it (no PIN try was spent).");
    }
    if (sealed.provider() != key.provider()) {
      throw new KeytrustException(CoreErrorCode.KEY_PROVIDER_MISMATCH,
          "The secret was sealed by the " + sealed.provider().id() + " provider, but the key of user '" + user
              + "' is a " + key.provider().id() + " key.");
    }
    return provider.unseal(key, sealed, pin);
  }

  /**
   * Checks, without the PIN, that the user's key still works with this provider: for a TPM key, that
   * the TPM still has the storage root key it was made under and loads its blobs ({@link
   * TpmSession#requireLoadable}); a software key needs nothing. Spends no PIN try and creates nothing.
   *
   * @throws KeytrustException {@code TPM_SRK_MISMATCH} or {@code TPM_KEY_NOT_LOADABLE} when the TPM
   *     lost the key (cleared, a firmware update, another machine); {@code KEY_PROVIDER_MISMATCH}
   *     when the key is another provider's; {@code KEY_NOT_FOUND}
   */
  public void requireUsable(String user) throws KeytrustException {
    KeyContainer key = store.load(user);
    requireProvider(key);
    if (key.protectedKey() instanceof TpmKeyBlobs blobs && session != null) {
      session.requireLoadable(blobs.loadable());
    }
  }

  /** The user's key. */
  public KeyContainer show(String user) throws KeytrustException {
    return store.load(user);
  }

  public Optional<KeyContainer> find(String user) throws KeytrustException {
    return store.find(user);
  }

  /**
   * Deletes the user's key: {@link KeyContainerStore#delete}, which removes the key file and every
   * other file of the user's store directory (a software key's attempt counter included), and
   * works on a damaged key file too. Any provider's key can be deleted. A TPM key's blobs are
   * useless without the store's copy, so this removes it for good; no TPM command is needed.
   *
   * @throws KeytrustException KEY_NOT_FOUND when the user has no key
   */
  public void delete(String user) throws KeytrustException {
    store.delete(user);
  }

  // ---- attestation -----------------------------------------------------------------------------

  /** The user's enrolled attestation key ({@link AttestationKeyStore}), if any. */
  public Optional<AttestationKey> attestationKey(String user) throws KeytrustException {
    return new AttestationKeyStore(store).find(user);
  }

  /**
   * Enrolls a new attestation key for the user's TPM with {@code authority} ({@link
   * KeyAttestor#enroll}: the RSA EK's certificate, else the P-256 EK's; an RSA 2048 AK) and keeps it
   * in the store, replacing an earlier one.
   *
   * @throws KeytrustException ATTEST_UNSUPPORTED_KEY for the software provider;
   *     ATTEST_NO_EK_CERTIFICATE when the TPM has no usable EK certificate; the authority's refusal
   */
  public AttestationKey enrollAttestationKey(String user, AttestationAuthority authority) throws KeytrustException {
    KeyAttestor attestor = attestor();
    TpmKeyType ekType = TpmKeyType.RSA_2048;
    try {
      attestor.endorsementKey(TpmKeyType.RSA_2048);
    } catch (KeytrustException e) {
      if (e.code() != CoreErrorCode.ATTEST_NO_EK_CERTIFICATE) {
        throw e;
      }
      ekType = TpmKeyType.ECC_P256;
    }
    AttestationKey ak = attestor.enroll(ekType, TpmKeyType.RSA_2048, authority);
    new AttestationKeyStore(store).save(user, ak);
    return ak;
  }

  /**
   * TPM2_Certify of the user's key by {@code ak} with {@code qualifyingData}, after deriving the
   * key's auth value from the PIN (a wrong PIN counts against the TPM's dictionary-attack logic).
   *
   * @throws KeytrustException ATTEST_UNSUPPORTED_KEY for a software key; WRONG_PIN
   */
  public KeyAttestationStatement certify(String user, Pin pin, AttestationKey ak, byte[] qualifyingData)
      throws KeytrustException {
    Objects.requireNonNull(pin, "pin");
    KeyContainer key = store.load(user);
    if (!(key.protectedKey() instanceof TpmKeyBlobs blobs)) {
      throw softwareKey(user);
    }
    requireProvider(key);
    try (SecretBuffer auth = PinAuth.derive(pin, blobs.authSalt())) {
      return attestor().certify(blobs.loadable(), auth, ak, qualifyingData);
    }
  }

  private KeyAttestor attestor() throws KeytrustException {
    if (session == null) {
      throw new KeytrustException(CoreErrorCode.ATTEST_UNSUPPORTED_KEY,
          "A software key cannot be attested: its private key is not in a TPM, so no TPM can vouch for it. "
              + "Create the key in a TPM to have it attested.");
    }
    return new KeyAttestor(session, Clock.systemUTC());
  }

  private static KeytrustException softwareKey(String user) {
    return new KeytrustException(CoreErrorCode.ATTEST_UNSUPPORTED_KEY,
        "The key of user '" + user + "' is a software key and cannot be attested: its private key is not in a "
            + "TPM, so no TPM can vouch for it. Create a TPM key (reset, then provision on a TPM) to have it "
            + "attested.");
  }

  /** See {@link KeyContainerStore#exportTpmBlobs(String, Path)}. */
  public void exportTpmBlobs(String user, Path dir) throws KeytrustException {
    store.exportTpmBlobs(user, dir);
  }

  private void requireProvider(KeyContainer key) throws KeytrustException {
    if (key.provider() != provider.kind()) {
      throw new KeytrustException(
          CoreErrorCode.KEY_PROVIDER_MISMATCH,
          "The key of user '" + key.user() + "' is a " + key.provider().id() + " key but the " + provider.kind().id()
              + " provider is selected: open it with " + (key.provider() == ProviderKind.SOFTWARE
                  ? "the TPM URI 'software'" : "the URI of the TPM that holds it") + ".");
    }
  }

  /** Closes the provider and the TPM session this instance opened (not one given to {@link #of}). */
  @Override
  public void close() {
    provider.close();
    if (session != null) {
      session.close();
    }
  }
}
