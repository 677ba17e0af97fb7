package dev.keytrust.key;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
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
