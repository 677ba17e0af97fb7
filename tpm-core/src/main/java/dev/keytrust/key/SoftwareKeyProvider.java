package dev.keytrust.key;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.Durations;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.WrongPinException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.store.UserNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The software fallback: the private key lives on disk, encrypted under a key derived from the
 * PIN, and this class counts wrong PINs itself.
 *
 * <h2>Key protection</h2>
 *
 * <pre>
 *   kek        = Argon2id(password = UTF-8(PIN), salt = 16 random bytes, m, t, p, version 0x13, 32 bytes)
 *   aad        = "keytrust/software-key/v1" || 0x00 || len32(user) || UTF-8(user)
 *                || len32(alg) || ASCII(algorithm id) || len32(keyId) || keyId          (len32: uint32 big-endian)
 *   ciphertext = AES-256-GCM(kek, nonce = 12 random bytes, aad, PKCS#8 PrivateKeyInfo) || 16-byte tag
 * </pre>
 *
 * <p>A wrong PIN shows as a GCM tag failure. The PIN's bytes, the derived key and the PKCS#8 bytes
 * are kept in {@link SecretBuffer}s (locked memory where the platform allows, see there) and zeroed
 * when the call ends; Argon2id, AES-GCM and the JCA key factory each get a heap copy that is
 * zeroed as soon as that one call returns. Copies the JDK and Bouncy Castle make inside ({@code
 * PKCS8EncodedKeySpec}, {@code SecretKeySpec}, the {@code PrivateKey}, cipher and Argon2 state)
 * cannot be wiped and become garbage when the call returns. Bouncy Castle is used as a library
 * only, never registered as a JCA provider.
 *
 * <h2>Attempt counter and lockout</h2>
 *
 * <p>Every PIN check is counted as failed before the PIN is tried and reset when it was right, so
 * neither killing the process nor running many processes at once yields uncounted guesses. After
 * {@link SoftwareLockoutPolicy#maxFailedAttempts()} wrong PINs in a row the key is locked for
 * {@link SoftwareLockoutPolicy#lockoutDuration()}; after that, one try per lockout period. Time
 * comes from the injected {@link Clock}; if the clock goes back, a lockout never lasts more than one
 * lockout duration from "now".
 *
 * <p>The counter is kept in the user's key store directory (see {@link AttemptCounter}): a counter
 * file (user, key id, sequence number, failures, lockout end) authenticated with HMAC-SHA256 under
 * a random 32-byte secret, and a secret file holding that secret and the last sequence number. It
 * survives restarts. Both files are made together with the key: {@link #create} puts them in the
 * key's {@link SoftwareKeyBlob#initialState()}, and {@link KeyContainerStore#save} writes them
 * before it links the key file, whose {@link SoftwareKeyBlob#counterId()} (SHA-256 of the secret)
 * says which counter the key has. A stored key therefore always has its counter, and a crash
 * during create or save leaves either no key or a key with a usable counter. Signing is refused
 * with {@link CoreErrorCode#COUNTER_TAMPERED} when:
 *
 * <ul>
 *   <li>the counter file was edited (MAC mismatch), or is from another user or key;
 *   <li>the counter file, the secret file, or both were deleted, whether or not the key was used;
 *   <li>the secret file is from another user or key (an earlier key of the same user included),
 *       or holds a secret other than the one the key file names;
 *   <li>an older copy of the counter file alone was put back (its sequence number is behind), or
 *       of the secret file alone, older than the one an interrupted update leaves (the counter is
 *       two or more ahead).
 * </ul>
 *
 * <p><b>What this cannot detect</b>, honestly: the MAC key is stored beside the counter, readable by
 * the same account, and the key file is only checksummed, not signed. Software alone cannot stop
 * someone running as that account who rewrites both counter files consistently (with the same
 * secret), or the key file and both counter files consistently; who restores older copies of all
 * of them, or of both counter files; who copies the key file elsewhere together with its counter
 * files; nor someone who moves the system clock forward to end a lockout. Against such an attacker
 * only the Argon2id cost slows guessing, since they can also copy the key file and guess offline.
 * Where that matters, use the TPM provider, whose lockout the TPM enforces.
 *
 * <p>A key must be saved in the store ({@link KeyContainerStore#save}) before it can sign: the
 * counter lives in its store directory. A key removed with {@link KeyContainerStore#delete} loses
 * its counter with it.
 */
public final class SoftwareKeyProvider implements KeyProvider {
  static final int SALT_LENGTH = 16;
  static final int NONCE_LENGTH = 12;
  static final int TAG_BITS = 128;
  static final byte[] AAD_LABEL = "keytrust/software-key/v1".getBytes(StandardCharsets.US_ASCII);
  /** DER of DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32) } before the digest. */
  static final byte[] SHA256_DIGEST_INFO_PREFIX = HexFormat.of().parseHex("3031300d060960864801650304020105000420");

  private final KeyContainerStore store;
  private final Argon2Parameters kdf;
  private final Clock clock;
  private final SoftwareLockoutPolicy policy;
  private final SecureRandom random = new SecureRandom();
  private final AttemptCounter counter;

  /** A provider with the defaults: {@link Argon2Parameters#DEFAULT}, the UTC system clock, {@link SoftwareLockoutPolicy#DEFAULT}. */
  public SoftwareKeyProvider(KeyContainerStore store) {
    this(store, Argon2Parameters.DEFAULT, Clock.systemUTC(), SoftwareLockoutPolicy.DEFAULT);
  }

  /**
   * @param store where keys and their attempt counters live
   * @param kdf the Argon2id cost of keys this provider creates (existing keys keep theirs)
   * @param clock the time source of lockouts and creation times
   * @param policy wrong PINs before lockout and the lockout duration
   */
  public SoftwareKeyProvider(
      KeyContainerStore store, Argon2Parameters kdf, Clock clock, SoftwareLockoutPolicy policy) {
    this.store = Objects.requireNonNull(store, "store");
    this.kdf = Objects.requireNonNull(kdf, "kdf");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.counter = new AttemptCounter(store, policy);
  }

  @Override
  public ProviderKind kind() {
    return ProviderKind.SOFTWARE;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Writes nothing: the key's attempt counter travels in its {@link SoftwareKeyBlob#initialState()}
   * until {@link KeyContainerStore#save} commits it together with the key.
   */
  @Override
  public KeyContainer create(String user, KeyAlgorithm algorithm, Pin pin) throws KeytrustException {
    UserNames.checkUser(user);
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(pin, "pin");
    try {
      KeyPair pair = generate(algorithm);
      byte[] keyId = BcryptKeyBlob.keyId(pair.getPublic());
      byte[] salt = randomBytes(SALT_LENGTH);
      byte[] nonce = randomBytes(NONCE_LENGTH);
      byte[] aad = aad(user, algorithm, keyId);
      byte[] ciphertext;
      try (SecretBuffer pkcs8 = SecretBuffer.moveFrom(pair.getPrivate().getEncoded());
          SecretBuffer kek = deriveKek(kdf, pin, salt)) {
        ciphertext = kek.withCopy(InsecureSecretAccess.get(),
            k -> pkcs8.withCopy(InsecureSecretAccess.get(), p -> aesGcm(Cipher.ENCRYPT_MODE, k, nonce, aad, p)));
      }
      AttemptCounter.Initial attempts = AttemptCounter.initial(user, keyId, random);
      return new KeyContainer(user, ProviderKind.SOFTWARE, algorithm, keyId, pair.getPublic().getEncoded(),
          clock.instant(), new SoftwareKeyBlob(kdf, salt, nonce, ciphertext, attempts.counterId(), attempts.files()));
    } catch (AEADBadTagException e) {
      throw new KeytrustBugException("AES-GCM encryption reported a tag failure", e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws KeytrustException COUNTER_TAMPERED when the attempt counter was modified; KEY_NOT_FOUND
   *     when the key is not (or no longer) the one saved in the store for its user
   */
  @Override
  public byte[] signDigest(KeyContainer key, byte[] sha256, Pin pin) throws KeytrustException {
    SoftwareKeyBlob blob = softwareBlob(key);
    if (sha256 == null || sha256.length != 32) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "A SHA-256 digest is 32 bytes, this one is " + (sha256 == null ? "missing" : sha256.length + " bytes")
              + ": pass the SHA-256 of the message.");
    }
    Objects.requireNonNull(pin, "pin");
    counter.requireStored(key);
    // one PIN check of this key at a time: concurrent checks of the right PIN must not add up to a
    // lockout while each waits for its Argon2id (every try still counts before the PIN is checked)
    SecretBuffer pkcs8 = store.withPinCheckLock(key.user(), () -> unlock(key, blob, pin));
    try (pkcs8) {
      return pkcs8.withCopy(InsecureSecretAccess.get(), p -> sign(key, p, sha256));
    }
  }

  /** Counts the try, decrypts the private key with the PIN, and records the result. */
  private SecretBuffer unlock(KeyContainer key, SoftwareKeyBlob blob, Pin pin) throws KeytrustException {
    int failures = counter.beginAttempt(key, clock.instant());
    byte[] aad = aad(key.user(), key.algorithm(), key.keyId());
    SecretBuffer pkcs8;
    try (SecretBuffer kek = deriveKek(blob.kdf(), pin, blob.salt())) {
      pkcs8 = kek.withCopy(InsecureSecretAccess.get(), k ->
          SecretBuffer.moveFrom(aesGcm(Cipher.DECRYPT_MODE, k, blob.nonce(), aad, blob.ciphertext())));
    } catch (AEADBadTagException e) {
      throw wrongPin(key.user(), failures);
    }
    try {
      counter.recordSuccess(key);
      return pkcs8;
    } catch (KeytrustException | RuntimeException e) {
      pkcs8.close();
      throw e;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>AES-256-GCM under Argon2id(PIN) with a new salt at the cost of {@code key} (its own {@link
   * SoftwareKeyBlob#kdf()}), the additional data binding it to the user and the key id ({@link
   * #sealAad}). Someone with the sealed form guesses PINs at exactly the cost of guessing them
   * against the key file.
   */
  @Override
  public SealedSecret seal(KeyContainer key, SecretBuffer secret, Pin pin) throws KeytrustException {
    SoftwareKeyBlob blob = softwareBlob(key);
    TpmKeyProvider.checkSecret(secret);
    Objects.requireNonNull(pin, "pin");
    byte[] salt = randomBytes(SALT_LENGTH);
    byte[] nonce = randomBytes(NONCE_LENGTH);
    byte[] aad = sealAad(key.user(), key.keyId());
    try (SecretBuffer kek = deriveKek(blob.kdf(), pin, salt)) {
      byte[] ciphertext = kek.withCopy(InsecureSecretAccess.get(),
          k -> secret.withCopy(InsecureSecretAccess.get(), p -> aesGcm(Cipher.ENCRYPT_MODE, k, nonce, aad, p)));
      return new SealedSecret(ProviderKind.SOFTWARE, key.keyId(),
          SealedSecret.softwareBody(blob.kdf(), salt, nonce, ciphertext));
    } catch (AEADBadTagException e) {
      throw new KeytrustBugException("AES-GCM encryption reported a tag failure", e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Counted by the key's attempt counter like a signature: a wrong PIN here is a wrong PIN for
   * the key, and a locked key opens nothing.
   */
  @Override
  public SecretBuffer unseal(KeyContainer key, SealedSecret sealed, Pin pin) throws KeytrustException {
    softwareBlob(key);
    Objects.requireNonNull(pin, "pin");
    if (sealed.provider() != ProviderKind.SOFTWARE) {
      throw new KeytrustException(CoreErrorCode.KEY_PROVIDER_MISMATCH,
          "The secret was sealed by the " + sealed.provider().id() + " provider, not the software provider.");
    }
    SealedSecret.Software parts = sealed.softwareParts(SALT_LENGTH, NONCE_LENGTH, TAG_BITS / 8);
    counter.requireStored(key);
    int failures = counter.beginAttempt(key, clock.instant());
    byte[] aad = sealAad(key.user(), key.keyId());
    SecretBuffer out;
    try (SecretBuffer kek = deriveKek(parts.kdf(), pin, parts.salt())) {
      out = kek.withCopy(InsecureSecretAccess.get(), k ->
          SecretBuffer.moveFrom(aesGcm(Cipher.DECRYPT_MODE, k, parts.nonce(), aad, parts.ciphertext())));
    } catch (AEADBadTagException e) {
      throw wrongPin(key.user(), failures);
    }
    counter.recordSuccess(key);
    return out;
  }

  /** The GCM additional data of a sealed secret: its label, the user and the key id. */
  static byte[] sealAad(String user, byte[] keyId) {
    byte[] label = "keytrust/sealed-secret/v1".getBytes(StandardCharsets.US_ASCII);
    byte[] u = user.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(label.length + 1 + 8 + u.length + keyId.length);
    b.put(label).put((byte) 0).putInt(u.length).put(u).putInt(keyId.length).put(keyId);
    return b.array();
  }

  /** Nothing to release. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "SoftwareKeyProvider[" + store.root() + ", " + kdf + ", " + policy.maxFailedAttempts()
        + " tries, lockout " + Durations.human(policy.lockoutDuration()) + "]";
  }

  /** The attempt counter state of a key (for status displays and tests); verifies the counter files. */
  AttemptCounter.State attemptState(KeyContainer key) throws KeytrustException {
    return counter.read(key);
  }

  // ---- crypto ----------------------------------------------------------------------------------

  /** Argon2id of the PIN's UTF-8 bytes, moved straight into a secret buffer. */
  private static SecretBuffer deriveKek(Argon2Parameters kdf, Pin pin, byte[] salt) {
    return pin.withUtf8(InsecureSecretAccess.get(), p -> SecretBuffer.moveFrom(kdf.deriveKey(p, salt)));
  }

  private KeyPair generate(KeyAlgorithm algorithm) {
    try {
      KeyPairGenerator g;
      if (algorithm == KeyAlgorithm.RSA_2048) {
        g = KeyPairGenerator.getInstance("RSA");
        g.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), random);
      } else {
        g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("The JDK cannot generate " + algorithm.id() + " keys", e);
    }
  }

  private byte[] sign(KeyContainer key, byte[] pkcs8, byte[] sha256) throws KeytrustException {
    PrivateKey privateKey;
    try {
      String kf = key.algorithm() == KeyAlgorithm.RSA_2048 ? "RSA" : "EC";
      privateKey = KeyFactory.getInstance(kf).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The decrypted private key of user '" + key.user() + "' is not a " + key.algorithm().id() + " key."
              + " Delete the key and create a new one.", e);
    }
    try {
      Signature s;
      if (key.algorithm() == KeyAlgorithm.RSA_2048) {
        s = Signature.getInstance("NONEwithRSA");
        s.initSign(privateKey);
        s.update(SHA256_DIGEST_INFO_PREFIX);
      } else {
        s = Signature.getInstance("NONEwithECDSA");
        s.initSign(privateKey, random);
      }
      s.update(sha256);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("The JDK cannot sign with a " + key.algorithm().id() + " key", e);
    }
  }

  private static byte[] aesGcm(int mode, byte[] kek, byte[] nonce, byte[] aad, byte[] input)
      throws AEADBadTagException {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad);
      return c.doFinal(input);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("AES-256-GCM failed", e);
    }
  }

  /** The GCM additional data: binds the ciphertext to its user, algorithm and key id. */
  static byte[] aad(String user, KeyAlgorithm algorithm, byte[] keyId) {
    byte[] u = user.getBytes(StandardCharsets.UTF_8);
    byte[] a = algorithm.id().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(AAD_LABEL.length + 1 + 12 + u.length + a.length + keyId.length);
    b.put(AAD_LABEL).put((byte) 0);
    b.putInt(u.length).put(u).putInt(a.length).put(a).putInt(keyId.length).put(keyId);
    return b.array();
  }

  // ---- checks and errors -----------------------------------------------------------------------

  private static SoftwareKeyBlob softwareBlob(KeyContainer key) throws KeytrustException {
    Objects.requireNonNull(key, "key");
    if (!(key.protectedKey() instanceof SoftwareKeyBlob blob)) {
      throw new KeytrustException(CoreErrorCode.KEY_PROVIDER_MISMATCH,
          "The key of user '" + key.user() + "' is a " + key.provider().id() + " key, not a software key: use the "
              + key.provider().id() + " provider for it.");
    }
    if (blob.salt().length != SALT_LENGTH || blob.nonce().length != NONCE_LENGTH
        || blob.ciphertext().length <= TAG_BITS / 8) {
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The encrypted software key of user '" + key.user() + "' has a salt, nonce or ciphertext of the wrong"
              + " size. Delete the key and create a new one.");
    }
    return blob;
  }

  private WrongPinException wrongPin(String user, int failures) {
    int left = Math.max(0, policy.maxFailedAttempts() - failures);
    String lockout = Durations.human(policy.lockoutDuration());
    if (left == 0) {
      return new WrongPinException(0,
          "Wrong PIN for the software key of user '" + user + "'. The key is now locked for " + lockout
              + "; then one more try is allowed per " + lockout + ". If the PIN is forgotten, delete the key"
              + " and create a new one.");
    }
    return new WrongPinException(left,
        "Wrong PIN for the software key of user '" + user + "': " + left + (left == 1 ? " try" : " tries")
            + " left before the key locks for " + lockout + ".");
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
