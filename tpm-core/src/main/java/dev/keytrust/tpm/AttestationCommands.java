package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.TpmCommandException;
import dev.keytrust.secret.SecretBuffer;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tss.tpm.CreatePrimaryResponse;
import tss.tpm.CreateResponse;
import tss.tpm.NV_ReadPublicResponse;
import tss.tpm.StartAuthSessionResponse;
import tss.tpm.TPMA_NV;
import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPMS_SENSITIVE_CREATE;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SIGNATURE;
import tss.tpm.TPMT_SYM_DEF;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_RH;
import tss.tpm.TPM_SE;

/**
 * The TPM commands of key attestation, in one place: reading the EK certificate from NV,
 * re-creating the EK from the TCG template, creating an attestation key (AK), TPM2_ActivateCredential
 * and TPM2_Certify. Every transient object and session is flushed in {@code finally}, and every
 * method holds the session's lock throughout (swtpm has three transient slots).
 *
 * <p><b>Sessions.</b> The commands that carry or return a secret run on keytrust's session layer
 * ({@code dev.keytrust.tpm.session}), in an HMAC session salted to the storage root key after its
 * Name is checked:
 *
 * <ul>
 *   <li>TPM2_Certify ({@link #certify}): the user key's PIN-derived auth value is only the key of
 *       the command HMAC, never sent; the AK's empty auth value travels in a password session.
 *   <li>TPM2_ActivateCredential ({@link #activateCredential}): the AK is authorized by the session
 *       with {@code encrypt}, so the recovered credential (certInfo, the CA's proof that the AK lives
 *       in this TPM) crosses the bus AES-128-CFB encrypted, and the response HMAC is verified before
 *       it is decrypted. The EK (adminWithPolicy) is authorized by a policy session that ran
 *       TPM2_PolicySecret(TPM_RH_ENDORSEMENT), sent with an empty HMAC (the policy needs no auth
 *       value, and the session is neither bound nor salted).
 * </ul>
 *
 * The rest goes through TSS.Java and carries no secret: NV reads, the EK's re-creation
 * (TPM2_CreatePrimary with the endorsement hierarchy's empty auth value), the AK's creation (the
 * SRK's empty auth), and the policy session with its TPM2_PolicySecret (the endorsement
 * hierarchy's empty auth value in a password session).
 */
public final class AttestationCommands {
  private static final Logger LOG = LoggerFactory.getLogger(AttestationCommands.class);

  /** TCG EK Credential Profile: NV index of the RSA 2048 EK certificate (template L-1). */
  public static final int EK_CERT_NV_RSA = 0x01C00002;
  /** TCG EK Credential Profile: NV index of the ECC NIST P-256 EK certificate (template L-2). */
  public static final int EK_CERT_NV_ECC = 0x01C0000A;
  /** Bytes per TPM2_NV_Read: below every TPM's TPM_PT_NV_BUFFER_MAX (swtpm: 1024; the minimum is 512). */
  static final int NV_CHUNK = 512;
  /** The largest EK certificate read (TCG: certificates up to a few KiB). */
  static final int MAX_CERTIFICATE = 16 * 1024;
  /** The largest TPM2B_ID_OBJECT or TPM2B_ENCRYPTED_SECRET content accepted (real ones: under 600 bytes). */
  static final int MAX_CREDENTIAL_INPUT = 1024;

  private final TpmSession session;
  private final SecureRandom random = new SecureRandom();

  /** Uses, but does not own, the session. */
  public AttestationCommands(TpmSession session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  /** The NV index of the EK certificate of this key type. */
  public static int ekCertificateIndex(TpmKeyType type) {
    return type == TpmKeyType.RSA_2048 ? EK_CERT_NV_RSA : EK_CERT_NV_ECC;
  }

  /**
   * Reads the EK certificate the manufacturer stored in NV (DER), or empty when the index is not
   * defined. The index is read with its own (empty) auth when it has TPMA_NV_AUTHREAD, else as
   * the owner (empty owner auth).
   */
  public Optional<byte[]> readEkCertificate(TpmKeyType type) throws KeytrustException {
    int index = ekCertificateIndex(type);
    session.lockForAttestation();
    try {
      NV_ReadPublicResponse pub;
      try {
        pub = session.call("TPM2_NV_ReadPublic", t -> t.NV_ReadPublic(TPM_HANDLE.from(index)));
      } catch (TpmCommandException e) {
        if (TpmResponseCodes.base(e.responseCode()) == TpmResponseCodes.HANDLE) {
          return Optional.empty();
        }
        throw e;
      }
      int size = pub.nvPublic.dataSize;
      if (size <= 0 || size > MAX_CERTIFICATE) {
        throw new KeytrustException(CoreErrorCode.ATTEST_NO_EK_CERTIFICATE, String.format(
            "The EK certificate index 0x%08X holds %d bytes, not a certificate.", index, size));
      }
      int attrs = pub.nvPublic.attributes.toInt();
      boolean authRead = (attrs & TPMA_NV.AUTHREAD.toInt()) != 0;
      TPM_HANDLE auth = authRead ? TPM_HANDLE.from(index) : TPM_HANDLE.from(TPM_RH.OWNER);
      ByteArrayOutputStream out = new ByteArrayOutputStream(size);
      for (int offset = 0; offset < size; offset += NV_CHUNK) {
        int at = offset;
        int n = Math.min(NV_CHUNK, size - offset);
        byte[] part = session.call("TPM2_NV_Read", t -> t.NV_Read(auth, TPM_HANDLE.from(index), n, at));
        if (part == null || part.length != n) {
          throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED, String.format(
              "TPM2_NV_Read of 0x%08X at %d returned %d bytes instead of %d.", index, at,
              part == null ? 0 : part.length, n));
        }
        out.write(part, 0, n);
      }
      return Optional.of(out.toByteArray());
    } finally {
      session.unlockForAttestation();
    }
  }

  /**
   * Re-creates the endorsement key from the TCG template (EK Credential Profile, L-1 RSA 2048 or
   * L-2 ECC P-256) and returns its TPMT_PUBLIC. The TPM derives it from its endorsement seed, so it
   * is the key the EK certificate certifies; the transient copy is flushed at once.
   */
  public byte[] endorsementKeyPublic(TpmKeyType type) throws KeytrustException {
    session.lockForAttestation();
    try {
      CreatePrimaryResponse ek = createEk(type);
      try {
        return ek.outPublic.toBytes();
      } finally {
        session.flushQuietly(ek.handle.handle);
      }
    } finally {
      session.unlockForAttestation();
    }
  }

  private CreatePrimaryResponse createEk(TpmKeyType type) throws KeytrustException {
    TPMT_PUBLIC template = TpmTemplates.ekTemplate(type);
    return session.call("TPM2_CreatePrimary", t -> t.CreatePrimary(TPM_HANDLE.from(TPM_RH.ENDORSEMENT),
        new TPMS_SENSITIVE_CREATE(new byte[0], new byte[0]), template, new byte[0], new TPMS_PCR_SELECTION[0]));
  }

  /**
   * Creates an attestation key under the storage root key of {@code type}: a restricted signing
   * key (RSASSA-SHA256 or ECDSA-SHA256) with fixedTPM | fixedParent | sensitiveDataOrigin |
   * userWithAuth | noDA | restricted | sign and an empty auth value.
   */
  public LoadableKey createAttestationKey(TpmKeyType type) throws KeytrustException {
    session.lockForAttestation();
    try {
      TpmSession.StorageRootKey srk = session.storageRootKey(type);
      TPMT_PUBLIC template = TpmTemplates.akTemplate(type);
      CreateResponse r = session.call("TPM2_Create", t -> t.Create(TPM_HANDLE.from(srk.handle()),
          new TPMS_SENSITIVE_CREATE(new byte[0], new byte[0]), template, new byte[0], new TPMS_PCR_SELECTION[0]));
      if (r.outPublic.objectAttributes.toInt() != template.objectAttributes.toInt()) {
        throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED, String.format(
            "The TPM created an attestation key with attributes 0x%08X instead of 0x%08X.",
            r.outPublic.objectAttributes.toInt(), template.objectAttributes.toInt()));
      }
      LOG.info("created a {} attestation key under the SRK at 0x{}", type.id(), Integer.toHexString(srk.handle()));
      return new LoadableKey(srk.handle(), srk.name(), r.outPublic.toBytes(), r.outPrivate.toBytes());
    } finally {
      session.unlockForAttestation();
    }
  }

  /**
   * TPM2_ActivateCredential: recovers the credential an attestation CA made with MakeCredential for
   * the AK's Name and the EK's public key. The TPM releases it only when the AK is loaded in the
   * same TPM as the EK (the CA's seed decrypts with that EK, and the integrity HMAC binds the AK's
   * Name). The EK is re-created from the template and authorized with a policy session that ran
   * TPM2_PolicySecret(TPM_RH_ENDORSEMENT); the AK is loaded under its storage root key (Name
   * checked) and authorized by an HMAC session salted to it, which has the TPM encrypt the returned
   * credential, so the credential never crosses the bus in clear. The EK, the AK and both sessions
   * are flushed afterwards.
   *
   * @param credentialBlob the TPM2B_ID_OBJECT (with its size)
   * @param encryptedSecret the TPM2B_ENCRYPTED_SECRET (with its size)
   * @return the credential
   * @throws TpmCommandException the TPM's refusal (TPM_RC_INTEGRITY, TPM_RC_VALUE...) when the
   *     credential was not made for this EK and AK
   * @throws KeytrustException {@code TPM_RESPONSE_NOT_AUTHENTIC} when the response was changed on
   *     the way (nothing from it is returned); {@code TPM_SRK_MISMATCH}; {@code ATTEST_MALFORMED}
   */
  public SecretBuffer activateCredential(LoadableKey ak, TpmKeyType ekType, byte[] credentialBlob,
      byte[] encryptedSecret) throws KeytrustException {
    checkIdObject(credentialBlob);
    unsize(encryptedSecret, "TPM2B_ENCRYPTED_SECRET");
    session.lockForAttestation();
    try {
      session.requireParent(ak, "attestation key");
      CreatePrimaryResponse ek = createEk(ekType);
      try {
        byte[] ekName = ek.outPublic.getName();
        if (!Arrays.equals(ekName, ek.name)) {
          throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED,
              "TPM2_CreatePrimary returned a Name that is not the Name of the endorsement key's public area.");
        }
        byte[] nonceCaller = new byte[32];
        random.nextBytes(nonceCaller);
        StartAuthSessionResponse policy = session.call("TPM2_StartAuthSession", t -> t.StartAuthSession(
            TPM_HANDLE.from(TPM_RH.NULL), TPM_HANDLE.from(TPM_RH.NULL), nonceCaller, new byte[0], TPM_SE.POLICY,
            new TPMT_SYM_DEF(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL), TPM_ALG_ID.SHA256));
        try {
          // the endorsement hierarchy's empty auth value, in a password session: no secret
          session.call("TPM2_PolicySecret", t -> t.PolicySecret(TPM_HANDLE.from(TPM_RH.ENDORSEMENT),
              policy.handle, new byte[0], new byte[0], new byte[0], 0));
          // the AK in a salted HMAC session that encrypts the credential; the EK by the policy session
          return session.activateCredential(ak, ek.handle.handle, ekName, policy.handle.handle, credentialBlob,
              encryptedSecret);
        } finally {
          session.flushQuietly(policy.handle.handle);
        }
      } finally {
        session.flushQuietly(ek.handle.handle);
      }
    } finally {
      session.unlockForAttestation();
    }
  }

  /**
   * What TPM2_Certify returned.
   *
   * @param certifyInfo the TPMS_ATTEST the AK signed (the content of the TPM2B_ATTEST)
   * @param signature the TPMT_SIGNATURE over it
   */
  public record Certification(byte[] certifyInfo, byte[] signature) {
    public Certification {
      certifyInfo = certifyInfo.clone();
      signature = signature.clone();
    }

    @Override
    public byte[] certifyInfo() {
      return certifyInfo.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  /**
   * TPM2_Certify of {@code key} (authorized by its auth value, for keytrust's keys the PIN-derived
   * one, through an HMAC session salted to the storage root key, so the value is only an HMAC key
   * and never sent) by the attestation key {@code ak}, with {@code qualifyingData} (the verifier's
   * nonce) as extraData. Both keys are loaded for the command and flushed afterwards.
   *
   * @throws dev.keytrust.error.WrongPinException when the key's auth value is wrong (the TPM counts it)
   */
  public Certification certify(LoadableKey key, SecretBuffer keyAuth, LoadableKey ak, byte[] qualifyingData)
      throws KeytrustException {
    Objects.requireNonNull(keyAuth, "keyAuth");
    if (qualifyingData == null || qualifyingData.length > 64) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "qualifyingData is at most 64 bytes.");
    }
    // an HMAC session keyed with the key's auth value: the PIN-derived value never crosses the bus
    byte[][] made = session.certify(key, keyAuth, ak, qualifyingData.clone());
    return new Certification(made[0], made[1]);
  }

  /**
   * Checks the TPM2B_ID_OBJECT's framing: its size (at most {@link #MAX_CREDENTIAL_INPUT}), and an
   * integrity HMAC inside it.
   */
  private static void checkIdObject(byte[] blob) throws KeytrustException {
    byte[] content = unsize(blob, "TPM2B_ID_OBJECT");
    if (content.length < 2) {
      throw new KeytrustException(CoreErrorCode.ATTEST_MALFORMED, "The TPM2B_ID_OBJECT is too short.");
    }
    int hmacSize = ((content[0] & 0xFF) << 8) | (content[1] & 0xFF);
    if (hmacSize > content.length - 2 || hmacSize > 64) {
      throw new KeytrustException(CoreErrorCode.ATTEST_MALFORMED,
          "The TPM2B_ID_OBJECT's integrity HMAC size " + hmacSize + " exceeds the structure.");
    }
  }

  private static byte[] unsize(byte[] tpm2b, String what) throws KeytrustException {
    if (tpm2b == null || tpm2b.length < 2 || tpm2b.length - 2 > MAX_CREDENTIAL_INPUT
        || (((tpm2b[0] & 0xFF) << 8) | (tpm2b[1] & 0xFF)) != tpm2b.length - 2) {
      throw new KeytrustException(CoreErrorCode.ATTEST_MALFORMED,
          "The " + what + " does not start with its own size.");
    }
    return Arrays.copyOfRange(tpm2b, 2, tpm2b.length);
  }
}
