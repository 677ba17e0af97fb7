package dev.keytrust.tpm.session;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.TpmCommandException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmTemplates;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key and sealed-data operations whose secrets never cross the TPM's bus in clear. Each call
 * reads the storage root key's public area, checks its Name against the one keytrust stored and
 * its shape against an SRK's, starts one HMAC session salted to it, runs its commands through that
 * session and flushes everything it loaded (and the session) before it returns or throws.
 *
 * <ul>
 *   <li>{@link #createSigningKey} and {@link #createSealedObject}: TPM2_Create with the new auth
 *       value (and the data to seal) in an inSensitive encrypted by the session ({@code decrypt}).
 *   <li>{@link #sign} and {@link #unseal}: TPM2_Load, then TPM2_Sign / TPM2_Unseal authorized by an
 *       HMAC keyed with sessionKey || authValue; TPM2_Unseal's result comes back encrypted
 *       ({@code encrypt}).
 *   <li>{@link #changeAuth}: TPM2_ObjectChangeAuth with the new auth value encrypted.
 *   <li>{@link #certify}: TPM2_Load of the attestation key, then TPM2_Certify authorized by an
 *       HMAC keyed with the certified key's auth value.
 *   <li>{@link #activateCredential}: TPM2_Load of the attestation key, then
 *       TPM2_ActivateCredential with the AK authorized by the session and the EK by the caller's
 *       PolicySecret session; the recovered credential comes back encrypted ({@code encrypt}).
 * </ul>
 *
 * Auth values and secrets come in {@link SecretBuffer}s; their heap copies live only inside one
 * call and are zeroed in {@code finally}. Wrong auth values reach the TPM as a failing HMAC:
 * {@code TPM_RC_AUTH_FAIL} (0x98E for session 1) counted by the dictionary-attack protection as
 * with a password session, raised by the {@link CommandChannel} with the raw code. Not thread
 * safe in itself: the channel's owner serializes operations if it shares the TPM.
 */
public final class SessionOperations {
  private static final Logger LOG = LoggerFactory.getLogger(SessionOperations.class);
  private static final byte[] EMPTY_AUTH = new byte[0];
  /** The largest auth value of a SHA-256 object. */
  public static final int MAX_AUTH = 32;

  private final CommandChannel channel;
  private final SecureRandom random;

  public SessionOperations(CommandChannel channel) {
    this(channel, new SecureRandom());
  }

  public SessionOperations(CommandChannel channel, SecureRandom random) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Creates the user signing key (fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth |
   * sign, no noDA) from {@link TpmTemplates#userKey} under {@code parent}. The private key is
   * generated in the TPM and never leaves it.
   *
   * @param authValue the new key's auth value (1 to 32 bytes, keytrust's PIN-derived value)
   */
  public ObjectBlobs createSigningKey(ParentKey parent, TpmKeyType type, SecretBuffer authValue)
      throws KeytrustException {
    Objects.requireNonNull(type, "type");
    return create(parent, TpmTemplates.userKey(type), authValue, null);
  }

  /**
   * Seals {@code secret} (1 to 128 bytes) in a sealed data object (KEYEDHASH, fixedTPM |
   * fixedParent | userWithAuth, no noDA: every wrong auth value counts against the TPM's
   * dictionary-attack protection) under {@code parent}.
   */
  public ObjectBlobs createSealedObject(ParentKey parent, SecretBuffer authValue, SecretBuffer secret)
      throws KeytrustException {
    Objects.requireNonNull(secret, "secret");
    if (secret.size() > TpmConstants.MAX_SYM_DATA) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "A sealed secret is at most " + TpmConstants.MAX_SYM_DATA + " bytes, not " + secret.size() + ".");
    }
    return create(parent, TpmTemplates.sealedData(), authValue, secret);
  }

  private ObjectBlobs create(ParentKey parent, byte[] template, SecretBuffer authValue, SecretBuffer data)
      throws KeytrustException {
    checkAuth(authValue);
    TpmtPublic srk = verifiedParent(parent);
    byte[] auth = authValue.copy(InsecureSecretAccess.get());
    byte[] secret = data == null ? EMPTY_AUTH : data.copy(InsecureSecretAccess.get());
    byte[] inSensitive = TpmCommands.sensitiveCreate(auth, secret);
    SessionCommand command = TpmCommands.create(parent.handle(), srk.name(), inSensitive, template);
    ObjectBlobs created;
    try (AuthSession session = AuthSession.startSalted(channel, parent.handle(), srk, random);
        SessionResponse r = session.execute(command, EMPTY_AUTH, TpmConstants.TPMA_SESSION_DECRYPT)) {
      created = TpmCommands.parseCreate(r.parameters());
    } finally {
      command.wipe();
      Arrays.fill(inSensitive, (byte) 0);
      Arrays.fill(auth, (byte) 0);
      Arrays.fill(secret, (byte) 0);
    }
    TpmtPublic made = TpmtPublic.parse(created.publicArea(), "the created object's public area");
    TpmtPublic wanted = TpmtPublic.parse(template, "the template");
    if (!Arrays.equals(made.withoutUnique(), wanted.withoutUnique())) {
      throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED, String.format(
          "The TPM created an object whose public area differs from the template (attributes 0x%08X, wanted 0x%08X).",
          made.objectAttributes(), wanted.objectAttributes()));
    }
    return created;
  }

  /**
   * Loads {@code key} under {@code parent}, signs the SHA-256 digest with it and flushes it.
   *
   * @return the signature as JCA verifies it: PKCS#1 v1.5 bytes (RSA) or DER {@code SEQUENCE {r, s}}
   * @throws KeytrustException the channel's error for TPM_RC_AUTH_FAIL (a wrong auth value),
   *     TPM_RC_LOCKOUT and other codes; {@code TPM_SRK_MISMATCH}; {@code TPM_RESPONSE_NOT_AUTHENTIC}
   */
  public byte[] sign(ParentKey parent, ObjectBlobs key, SecretBuffer authValue, byte[] sha256)
      throws KeytrustException {
    checkAuth(authValue);
    if (sha256 == null || sha256.length != 32) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "A SHA-256 digest is 32 bytes.");
    }
    TpmtPublic pub = TpmtPublic.parse(key.publicArea(), "the key's public area");
    // the scheme follows the key's type and is always given to TPM2_Sign: a key whose template has
    // scheme NULL needs it, and one whose template names the same scheme accepts it (Part 3, 20.2)
    int scheme = switch (pub.type()) {
      case TpmConstants.TPM_ALG_RSA -> TpmConstants.TPM_ALG_RSASSA;
      case TpmConstants.TPM_ALG_ECC -> TpmConstants.TPM_ALG_ECDSA;
      default -> throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "The key is not an RSA or ECC key.");
    };
    if ((pub.scheme() != scheme && pub.scheme() != TpmConstants.TPM_ALG_NULL)
        || (pub.objectAttributes() & TpmConstants.TPMA_OBJECT_SIGN_ENCRYPT) == 0) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "The key is not a signing key with scheme NULL, RSASSA or ECDSA.");
    }
    int rsaBytes = pub.type() == TpmConstants.TPM_ALG_RSA ? pub.modulus().length : 0;
    return withLoaded(parent, key, pub, (session, handle, auth) -> {
      try (SessionResponse r = session.execute(TpmCommands.sign(handle, pub.name(), scheme, sha256), auth, 0)) {
        return TpmCommands.parseSign(r.parameters(), scheme, rsaBytes);
      }
    }, authValue);
  }

  /**
   * Loads the sealed data object under {@code parent}, unseals it through a session that has the
   * TPM encrypt the result, and flushes it.
   *
   * @return the secret in a buffer the caller closes
   */
  public SecretBuffer unseal(ParentKey parent, ObjectBlobs sealed, SecretBuffer authValue) throws KeytrustException {
    checkAuth(authValue);
    TpmtPublic pub = TpmtPublic.parse(sealed.publicArea(), "the sealed object's public area");
    if (pub.type() != TpmConstants.TPM_ALG_KEYEDHASH) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "The object is not a sealed data object.");
    }
    return withLoaded(parent, sealed, pub, (session, handle, auth) -> {
      try (SessionResponse r = session.execute(TpmCommands.unseal(handle, pub.name()), auth,
          TpmConstants.TPMA_SESSION_ENCRYPT)) {
        byte[] data = TpmCommands.parseUnseal(r.parameters());
        if (data.length == 0) {
          throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED, "The sealed data object holds no data.");
        }
        return SecretBuffer.moveFrom(data);
      }
    }, authValue);
  }

  /**
   * Gives a loaded copy of {@code object} a new auth value (TPM2_ObjectChangeAuth, authorized with
   * the current one) and returns the object with its new private area; the old private area
   * keeps working with the old auth value until the caller discards it.
   */
  public ObjectBlobs changeAuth(ParentKey parent, ObjectBlobs object, SecretBuffer authValue, SecretBuffer newAuthValue)
      throws KeytrustException {
    checkAuth(authValue);
    checkAuth(newAuthValue);
    TpmtPublic pub = TpmtPublic.parse(object.publicArea(), "the object's public area");
    byte[] newPrivate = withLoaded(parent, object, pub, (session, handle, auth) -> {
      byte[] newAuth = newAuthValue.copy(InsecureSecretAccess.get());
      SessionCommand command = TpmCommands.objectChangeAuth(handle, pub.name(), parent.handle(), parent.name(), newAuth);
      try (SessionResponse r = session.execute(command, auth, TpmConstants.TPMA_SESSION_DECRYPT)) {
        return TpmCommands.parseObjectChangeAuth(r.parameters());
      } finally {
        command.wipe();
        Arrays.fill(newAuth, (byte) 0);
      }
    }, authValue);
    return new ObjectBlobs(object.publicArea(), newPrivate);
  }

  /**
   * TPM2_Certify of {@code key} (authorized by an HMAC session keyed with its auth value, so the
   * PIN-derived value never crosses the bus) by the attestation key {@code ak} (empty auth value,
   * authorized by the empty password), with {@code qualifyingData} as extraData. Both are loaded
   * for the command, under their storage root keys (Names checked first), and flushed.
   *
   * @return the TPMS_ATTEST (without its size) and the TPMT_SIGNATURE, as the TPM returned them
   */
  public byte[][] certify(ParentKey keyParent, ObjectBlobs key, SecretBuffer authValue, ParentKey akParent,
      ObjectBlobs ak, byte[] qualifyingData) throws KeytrustException {
    checkAuth(authValue);
    if (qualifyingData == null || qualifyingData.length > 64) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "qualifyingData is at most 64 bytes.");
    }
    TpmtPublic pub = TpmtPublic.parse(key.publicArea(), "the key's public area");
    TpmtPublic akPub = TpmtPublic.parse(ak.publicArea(), "the attestation key's public area");
    byte[] akParentName = verifiedParent(akParent).name();
    return withLoaded(keyParent, key, pub, (session, handle, auth) -> {
      int akHandle;
      try (SessionResponse loaded = session.execute(TpmCommands.load(akParent.handle(), akParentName, ak), EMPTY_AUTH,
          0)) {
        akHandle = loaded.handle(0);
        if (!MessageDigest.isEqual(TpmCommands.parseLoad(loaded.parameters()), akPub.name())) {
          flushObject(akHandle, null);
          throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED,
              "TPM2_Load returned a Name that is not the Name of the attestation key's public area.");
        }
      }
      KeytrustException failure = null;
      try (SessionResponse r = session.execute(
          TpmCommands.certify(handle, pub.name(), akHandle, akPub.name(), qualifyingData), auth, 0)) {
        return TpmCommands.parseCertify(r.parameters());
      } catch (KeytrustException e) {
        failure = e;
        throw e;
      } finally {
        flushObject(akHandle, failure);
      }
    }, authValue);
  }

  /**
   * TPM2_ActivateCredential: loads the attestation key {@code ak} (empty auth value) under {@code
   * akParent} (its Name checked first, and the session salted to it), and has the TPM recover the
   * credential an attestation CA made with MakeCredential for the AK's Name and the EK's public
   * key. The AK (activateHandle, USER role) is authorized by the salted HMAC session with {@code
   * encrypt}, so certInfo crosses the bus AES-128-CFB encrypted and the response HMAC is verified
   * before it is decrypted; the EK at {@code ekHandle} (keyHandle, ADMIN role, adminWithPolicy) is
   * authorized by {@code ekPolicySession}, a policy session of the caller that ran
   * TPM2_PolicySecret(TPM_RH_ENDORSEMENT), sent with an empty HMAC. The AK is flushed before this
   * returns; the EK and the policy session stay the caller's to flush.
   *
   * @param ekName the EK's Name (part of cpHash: a different object at {@code ekHandle} fails the
   *     command HMAC at the TPM)
   * @param credentialBlob the TPM2B_ID_OBJECT, its size included
   * @param encryptedSecret the TPM2B_ENCRYPTED_SECRET, its size included
   * @return the credential (certInfo) in a buffer the caller closes
   * @throws KeytrustException the channel's error for the TPM's refusal (TPM_RC_INTEGRITY,
   *     TPM_RC_VALUE... for a credential not made for this EK and AK); {@code TPM_SRK_MISMATCH};
   *     {@code TPM_RESPONSE_NOT_AUTHENTIC} when the response was changed on the way
   */
  public SecretBuffer activateCredential(ParentKey akParent, ObjectBlobs ak, int ekHandle, byte[] ekName,
      int ekPolicySession, byte[] credentialBlob, byte[] encryptedSecret) throws KeytrustException {
    Objects.requireNonNull(ekName, "ekName");
    if (TpmConstants.handleType(ekPolicySession) != TpmConstants.TPM_HT_POLICY_SESSION) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "The EK's authorization is not a policy session.");
    }
    TpmtPublic akPub = TpmtPublic.parse(ak.publicArea(), "the attestation key's public area");
    return withLoaded(akParent, ak, akPub, (session, handle, auth) -> {
      SessionCommand command = TpmCommands.activateCredential(handle, akPub.name(), ekHandle, ekName, ekPolicySession,
          credentialBlob, encryptedSecret);
      try (SessionResponse r = session.execute(command, auth, TpmConstants.TPMA_SESSION_ENCRYPT)) {
        byte[] certInfo = TpmCommands.parseActivateCredential(r.parameters());
        if (certInfo.length == 0) {
          throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED,
              "TPM2_ActivateCredential returned no credential.");
        }
        return SecretBuffer.moveFrom(certInfo);
      }
    }, EMPTY_AUTH.clone());
  }

  /** What runs on a loaded object: the session, the object's handle, its auth value (a heap copy). */
  @FunctionalInterface
  private interface OnLoaded<T> {
    T run(AuthSession session, int handle, byte[] authValue) throws KeytrustException;
  }

  private <T> T withLoaded(ParentKey parent, ObjectBlobs blobs, TpmtPublic pub, OnLoaded<T> use, SecretBuffer authValue)
      throws KeytrustException {
    TpmtPublic srk = verifiedParent(parent);
    return withLoaded(parent, srk, blobs, pub, use, authValue.copy(InsecureSecretAccess.get()));
  }

  /** {@link #withLoaded} with the auth value as an array, which this zeroes. */
  private <T> T withLoaded(ParentKey parent, ObjectBlobs blobs, TpmtPublic pub, OnLoaded<T> use, byte[] auth)
      throws KeytrustException {
    TpmtPublic srk;
    try {
      srk = verifiedParent(parent);
    } catch (KeytrustException | RuntimeException e) {
      Arrays.fill(auth, (byte) 0);
      throw e;
    }
    return withLoaded(parent, srk, blobs, pub, use, auth);
  }

  private <T> T withLoaded(ParentKey parent, TpmtPublic srk, ObjectBlobs blobs, TpmtPublic pub, OnLoaded<T> use,
      byte[] auth) throws KeytrustException {
    byte[] srkName = srk.name();
    try (AuthSession session = AuthSession.startSalted(channel, parent.handle(), srk, random)) {
      int handle;
      try (SessionResponse loaded = session.execute(TpmCommands.load(parent.handle(), srkName, blobs), EMPTY_AUTH, 0)) {
        handle = loaded.handle(0);
        byte[] name = TpmCommands.parseLoad(loaded.parameters());
        if (!MessageDigest.isEqual(name, pub.name())) {
          flushObject(handle, null);
          throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED,
              "TPM2_Load returned a Name that is not the Name of the public area loaded.");
        }
      }
      KeytrustException failure = null;
      try {
        return use.run(session, handle, auth);
      } catch (KeytrustException e) {
        failure = e;
        throw e;
      } finally {
        flushObject(handle, failure);
      }
    } finally {
      Arrays.fill(auth, (byte) 0);
    }
  }

  private void flushObject(int handle, Throwable primary) {
    try {
      TpmCommands.flushContext(channel, handle);
    } catch (KeytrustException | RuntimeException e) {
      if (primary != null) {
        primary.addSuppressed(e);
      }
      LOG.warn("could not flush TPM object 0x{}: {}", Integer.toHexString(handle), e.getMessage());
    }
  }

  /**
   * Reads the key at {@code parent.handle()} and returns its public area if its Name is the one
   * recorded and it has an SRK's shape; otherwise {@code TPM_SRK_MISMATCH}, before any salt is
   * made or sent.
   */
  TpmtPublic verifiedParent(ParentKey parent) throws KeytrustException {
    Objects.requireNonNull(parent, "parent");
    TpmtPublic pub;
    try {
      pub = TpmCommands.readPublic(channel, parent.handle());
    } catch (TpmCommandException e) {
      if ((e.responseCode() & 0x0BF) == 0x08B) { // TPM_RC_HANDLE: nothing persisted there
        throw srkMismatch(parent, "no key is persisted there any more", e);
      }
      throw e;
    }
    if (!MessageDigest.isEqual(pub.name(), parent.name())) {
      throw srkMismatch(parent, "the key persisted there is not the one recorded (its Name differs)", null);
    }
    Optional<String> notSrk = pub.notAStorageRootKey();
    if (notSrk.isPresent()) {
      throw srkMismatch(parent, "the key persisted there is not a storage root key: " + notSrk.get(), null);
    }
    return pub;
  }

  /**
   * For benchmarks, which subtract it from a session's cost: an action that makes and discards one
   * session salt to the storage key {@code srkPublic} (a TPMT_PUBLIC, parsed once here), as every
   * operation here does once. Nothing is sent anywhere.
   */
  public static Consumer<SecureRandom> saltMaker(byte[] srkPublic) throws KeytrustException {
    TpmtPublic srk = TpmtPublic.parse(srkPublic, "the storage root key's public area");
    SessionSalt.create(srk, new SecureRandom()).close(); // refuses a key that cannot take a salt
    return random -> {
      try {
        SessionSalt.create(srk, random).close();
      } catch (KeytrustException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    };
  }

  private static KeytrustException srkMismatch(ParentKey parent, String why, Throwable cause) {
    return new KeytrustException(CoreErrorCode.TPM_SRK_MISMATCH, String.format(
        "The storage root key at 0x%08X cannot be used: %s. No session was salted to it. The TPM was cleared, the "
            + "key store belongs to another TPM, or another key was put at that handle: delete the key and provision "
            + "again, or restore the storage root key.", parent.handle(), why), cause);
  }

  private static void checkAuth(SecretBuffer authValue) throws KeytrustException {
    Objects.requireNonNull(authValue, "authValue");
    if (authValue.size() > MAX_AUTH) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "An auth value is at most " + MAX_AUTH + " bytes (SHA-256), not " + authValue.size() + ".");
    }
  }

  @Override
  public String toString() {
    return "SessionOperations[" + channel + "]";
  }
}
