package dev.keytrust.tpm.session;

import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_ECDSA;
import static dev.keytrust.tpm.session.TpmConstants.TPM_ALG_RSASSA;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.EcdsaDer;
import java.util.Arrays;

/**
 * The commands this package sends (TPM 2.0 Part 3): their handle and parameter areas, and strict
 * parsing of their response parameters. Commands without an authorization (TPM2_ReadPublic,
 * TPM2_StartAuthSession, TPM2_FlushContext) run here directly on a {@link CommandChannel}; the
 * others are returned as a {@link SessionCommand} for an {@link AuthSession}.
 */
final class TpmCommands {
  static final String READ_PUBLIC = "TPM2_ReadPublic";
  static final String START_AUTH_SESSION = "TPM2_StartAuthSession";
  static final String FLUSH_CONTEXT = "TPM2_FlushContext";
  static final String CREATE = "TPM2_Create";
  static final String LOAD = "TPM2_Load";
  static final String SIGN = "TPM2_Sign";
  static final String UNSEAL = "TPM2_Unseal";
  static final String OBJECT_CHANGE_AUTH = "TPM2_ObjectChangeAuth";
  static final String CERTIFY = "TPM2_Certify";
  static final String ACTIVATE_CREDENTIAL = "TPM2_ActivateCredential";
  /** The largest TPM2B_ID_OBJECT / TPM2B_ENCRYPTED_SECRET content accepted (Part 2: at most a few hundred bytes). */
  static final int MAX_CREDENTIAL_INPUT = 1024;
  /** The largest TPMS_ATTEST accepted. */
  static final int MAX_ATTEST = 2048;

  /** A Name: nameAlg (2 bytes) and a digest of at most 64 bytes. */
  static final int MAX_NAME = 2 + TpmsAuthResponse.MAX_DIGEST;
  /** Bounds for blobs the TPM returns; real ones are far smaller. */
  static final int MAX_BLOB = 4096;
  static final int TPM_ST_CREATION = 0x8021;

  private TpmCommands() {}

  // ---------------------------------------------------------------------------------------------
  // without authorization

  /** TPM2_ReadPublic's outPublic, with the returned Name checked against the one computed from it. */
  static TpmtPublic readPublic(CommandChannel channel, int handle) throws KeytrustException {
    return PlainCommands.readPublic(channel, handle).parsed();
  }

  /** The new session's handle and nonceTPM. */
  record StartedSession(int handle, byte[] nonceTpm) {
    StartedSession {
      nonceTpm = nonceTpm.clone();
    }

    @Override
    public byte[] nonceTpm() {
      return nonceTpm.clone();
    }
  }

  /**
   * TPM2_StartAuthSession of an unbound HMAC session with AES-128-CFB parameter encryption and
   * SHA-256, salted to {@code tpmKey}. The response carries no HMAC (there is no session key
   * yet); a changed handle or nonceTPM only makes the next command's HMAC fail at the TPM.
   */
  static StartedSession startAuthSession(CommandChannel channel, int tpmKey, byte[] nonceCaller, byte[] encryptedSalt,
      TpmHash authHash) throws KeytrustException {
    byte[] params = new TpmMarshaller()
        .tpm2b(nonceCaller)
        .tpm2b(encryptedSalt)
        .u8(TpmConstants.TPM_SE_HMAC)
        .u16(TpmConstants.TPM_ALG_AES).u16(128).u16(TpmConstants.TPM_ALG_CFB) // TPMT_SYM_DEF
        .u16(authHash.algId())
        .toByteArray();
    byte[] cmd = CommandBuffer.marshal(
        TpmConstants.TPM_CC_START_AUTH_SESSION, new int[] {tpmKey, TpmConstants.TPM_RH_NULL}, null, params);
    String what = "the " + START_AUTH_SESSION + " response";
    ResponseBuffer r = ResponseBuffer.parse(channel.execute(START_AUTH_SESSION, cmd), what, 1, false);
    int handle = r.handles()[0];
    try {
      if (TpmConstants.handleType(handle) != TpmConstants.TPM_HT_HMAC_SESSION) {
        throw new TpmUnmarshaller(new byte[0], what).malformed(String.format("0x%08X is not an HMAC session handle", handle));
      }
      TpmUnmarshaller in = new TpmUnmarshaller(r.parameters(), what);
      byte[] nonceTpm = in.tpm2b(TpmsAuthResponse.MAX_DIGEST, "nonceTPM");
      in.finish();
      if (nonceTpm.length < 16) {
        throw in.malformed("nonceTPM has " + nonceTpm.length + " bytes, fewer than 16");
      }
      return new StartedSession(handle, nonceTpm);
    } catch (KeytrustException e) {
      if (TpmConstants.handleType(handle) == TpmConstants.TPM_HT_HMAC_SESSION) {
        flushQuietly(channel, handle, e);
      }
      throw e;
    }
  }

  /** TPM2_FlushContext of a loaded object or session. */
  static void flushContext(CommandChannel channel, int handle) throws KeytrustException {
    byte[] params = new TpmMarshaller().u32(handle).toByteArray();
    byte[] cmd = CommandBuffer.marshal(TpmConstants.TPM_CC_FLUSH_CONTEXT, new int[0], null, params);
    ResponseBuffer r = ResponseBuffer.parse(channel.execute(FLUSH_CONTEXT, cmd), "the " + FLUSH_CONTEXT + " response", 0,
        false);
    if (r.parameters().length != 0) {
      throw new TpmUnmarshaller(r.parameters(), "the " + FLUSH_CONTEXT + " response").malformed("it has parameters");
    }
  }

  /** Flushes {@code handle}, adding a failure to {@code primary} as suppressed. */
  static void flushQuietly(CommandChannel channel, int handle, Throwable primary) {
    try {
      flushContext(channel, handle);
    } catch (KeytrustException | RuntimeException e) {
      primary.addSuppressed(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // with a session

  /**
   * TPM2_Create under {@code parent}. {@code inSensitive} is the whole TPM2B_SENSITIVE_CREATE in
   * clear (the session encrypts its buffer); the command keeps it for {@link SessionCommand#wipe()}.
   */
  static SessionCommand create(int parent, byte[] parentName, byte[] inSensitive, byte[] template) {
    TpmMarshaller m = new TpmMarshaller(inSensitive.length + template.length + 16);
    try {
      m.bytes(inSensitive)
          .tpm2b(template)       // inPublic: TPM2B_PUBLIC
          .u16(0)                // outsideInfo: empty TPM2B_DATA
          .u32(0);               // creationPCR: empty TPML_PCR_SELECTION
      return new SessionCommand(CREATE, TpmConstants.TPM_CC_CREATE, new int[] {parent}, new byte[][] {parentName},
          m.toByteArray(), 0);
    } finally {
      m.wipe();
    }
  }

  /** TPM2B_SENSITIVE_CREATE { TPMS_SENSITIVE_CREATE { userAuth, data } } in clear; the caller zeroes it. */
  static byte[] sensitiveCreate(byte[] userAuth, byte[] data) {
    TpmMarshaller inner = new TpmMarshaller(userAuth.length + data.length + 8);
    TpmMarshaller outer = new TpmMarshaller(userAuth.length + data.length + 8);
    try {
      inner.tpm2b(userAuth).tpm2b(data);
      byte[] body = inner.toByteArray();
      try {
        outer.tpm2b(body);
      } finally {
        Arrays.fill(body, (byte) 0);
      }
      return outer.toByteArray();
    } finally {
      inner.wipe();
      outer.wipe();
    }
  }

  /** TPM2_Create's outPrivate and outPublic; creationData, creationHash and creationTicket are checked and dropped. */
  static ObjectBlobs parseCreate(byte[] parameters) throws KeytrustException {
    String what = "the " + CREATE + " response";
    TpmUnmarshaller in = new TpmUnmarshaller(parameters, what);
    byte[] outPrivate = tpm2bWithSize(in.tpm2b(MAX_BLOB, "outPrivate"));
    TpmtPublic outPublic = tpm2bPublic(in, what + " (outPublic)");
    in.tpm2b(MAX_BLOB, "creationData");
    in.tpm2b(TpmsAuthResponse.MAX_DIGEST, "creationHash");
    if (in.u16() != TPM_ST_CREATION) {
      throw in.malformed("creationTicket is not a TPM_ST_CREATION ticket");
    }
    in.u32(); // hierarchy
    in.tpm2b(TpmsAuthResponse.MAX_DIGEST, "creationTicket.digest");
    in.finish();
    return new ObjectBlobs(outPublic.encoded(), outPrivate);
  }

  /** TPM2_Load of {@code blobs} under {@code parent}; the response holds the new handle and the object's Name. */
  static SessionCommand load(int parent, byte[] parentName, ObjectBlobs blobs) throws KeytrustException {
    byte[] priv = blobs.privateArea();
    TpmUnmarshaller check = new TpmUnmarshaller(priv, "the key's private area");
    check.tpm2b(MAX_BLOB, "TPM2B_PRIVATE");
    check.finish();
    byte[] params = new TpmMarshaller(priv.length + blobs.publicArea().length + 2)
        .bytes(priv)
        .tpm2b(blobs.publicArea())
        .toByteArray();
    return new SessionCommand(LOAD, TpmConstants.TPM_CC_LOAD, new int[] {parent}, new byte[][] {parentName}, params, 1);
  }

  /** TPM2_Load's name. */
  static byte[] parseLoad(byte[] parameters) throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(parameters, "the " + LOAD + " response");
    byte[] name = in.tpm2b(MAX_NAME, "name");
    in.finish();
    return name;
  }

  /**
   * TPM2_Sign of a digest with an explicit {@code scheme} (RSASSA or ECDSA) and SHA-256, and a NULL
   * hashcheck ticket.
   */
  static SessionCommand sign(int key, byte[] keyName, int scheme, byte[] digest) {
    byte[] params = new TpmMarshaller(digest.length + 14)
        .tpm2b(digest)
        .u16(scheme).u16(TpmHash.SHA256.algId())               // inScheme: TPMT_SIG_SCHEME
        .u16(TpmConstants.TPM_ST_HASHCHECK)                     // validation: TPMT_TK_HASHCHECK
        .u32(TpmConstants.TPM_RH_NULL)
        .u16(0)
        .toByteArray();
    return new SessionCommand(SIGN, TpmConstants.TPM_CC_SIGN, new int[] {key}, new byte[][] {keyName}, params, 0);
  }

  /**
   * TPM2_Certify of the object at {@code object} (authorized by the session, ADMIN role) by the
   * signing key at {@code signer} (an attestation key with the empty auth value, authorized by
   * the empty password), with {@code qualifyingData} as extraData and the signer's own scheme.
   */
  static SessionCommand certify(int object, byte[] objectName, int signer, byte[] signerName, byte[] qualifyingData) {
    byte[] params = new TpmMarshaller(qualifyingData.length + 4)
        .tpm2b(qualifyingData)
        .u16(TpmConstants.TPM_ALG_NULL)                         // inScheme: the signer's scheme
        .toByteArray();
    return new SessionCommand(CERTIFY, TpmConstants.TPM_CC_CERTIFY, new int[] {object, signer},
        new byte[][] {objectName, signerName}, params, 0, new int[] {TpmConstants.TPM_RS_PW});
  }

  /**
   * TPM2_ActivateCredential (Part 3, 12.5): {@code activate} (the attestation key, USER role,
   * authorized by the session) and {@code key} (the EK, ADMIN role, authorized by {@code
   * keyPolicySession}, which ran TPM2_PolicySecret(TPM_RH_ENDORSEMENT)). {@code credentialBlob}
   * and {@code secret} are the whole TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET, sizes included,
   * which must match their contents. Nothing in the command is secret; the response's certInfo is.
   */
  static SessionCommand activateCredential(int activate, byte[] activateName, int key, byte[] keyName,
      int keyPolicySession, byte[] credentialBlob, byte[] secret) throws KeytrustException {
    checkTpm2b(credentialBlob, "the TPM2B_ID_OBJECT");
    checkTpm2b(secret, "the TPM2B_ENCRYPTED_SECRET");
    byte[] params = new TpmMarshaller(credentialBlob.length + secret.length)
        .bytes(credentialBlob)
        .bytes(secret)
        .toByteArray();
    return new SessionCommand(ACTIVATE_CREDENTIAL, TpmConstants.TPM_CC_ACTIVATE_CREDENTIAL, new int[] {activate, key},
        new byte[][] {activateName, keyName}, params, 0, new int[] {keyPolicySession});
  }

  /** TPM2_ActivateCredential's certInfo (TPM2B_DIGEST): a new array the caller zeroes. */
  static byte[] parseActivateCredential(byte[] parameters) throws KeytrustException {
    return secretTpm2b(parameters, ACTIVATE_CREDENTIAL, TpmsAuthResponse.MAX_DIGEST, "certInfo");
  }

  private static void checkTpm2b(byte[] tpm2b, String what) throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(tpm2b, what);
    in.tpm2b(MAX_CREDENTIAL_INPUT, what);
    in.finish();
  }

  /**
   * TPM2_Certify's result as received: the TPMS_ATTEST (without its TPM2B size) and the whole
   * TPMT_SIGNATURE. The attestation's own verifier parses and checks both strictly.
   */
  static byte[][] parseCertify(byte[] parameters) throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(parameters, "the " + CERTIFY + " response");
    byte[] attest = in.tpm2b(MAX_ATTEST, "certifyInfo");
    byte[] signature = in.bytes(in.remaining());
    in.finish();
    if (signature.length < 4) {
      throw in.malformed("its signature is " + signature.length + " bytes");
    }
    return new byte[][] {attest, signature};
  }

  /**
   * TPM2_Sign's TPMT_SIGNATURE as JCA verifies it: the PKCS#1 v1.5 signature of RSASSA, a DER
   * {@code SEQUENCE {r, s}} for ECDSA. The scheme must be {@code expectedScheme} with SHA-256.
   */
  static byte[] parseSign(byte[] parameters, int expectedScheme, int rsaBytes) throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(parameters, "the " + SIGN + " response");
    int sigAlg = in.u16();
    if (sigAlg != expectedScheme) {
      throw in.malformed(String.format("its signature scheme is 0x%04X, not 0x%04X", sigAlg, expectedScheme));
    }
    if (in.u16() != TpmHash.SHA256.algId()) {
      throw in.malformed("its signature hash is not SHA-256");
    }
    if (sigAlg == TPM_ALG_RSASSA) {
      byte[] sig = in.tpm2b(TpmtPublic.MAX_RSA_KEY_BYTES, "the RSA signature");
      in.finish();
      if (sig.length != rsaBytes) {
        throw in.malformed("the RSA signature has " + sig.length + " bytes, not " + rsaBytes);
      }
      return sig;
    }
    if (sigAlg == TPM_ALG_ECDSA) {
      byte[] r = in.tpm2b(TpmtPublic.MAX_ECC_KEY_BYTES, "signatureR");
      byte[] s = in.tpm2b(TpmtPublic.MAX_ECC_KEY_BYTES, "signatureS");
      in.finish();
      return derEcdsa(r, s);
    }
    throw in.malformed(String.format("signature scheme 0x%04X", sigAlg));
  }

  /** DER {@code SEQUENCE { INTEGER r, INTEGER s }}: {@link EcdsaDer#fromRs}. */
  static byte[] derEcdsa(byte[] r, byte[] s) {
    return EcdsaDer.fromRs(r, s);
  }

  /** TPM2_Unseal of a loaded sealed data object (no parameters). */
  static SessionCommand unseal(int item, byte[] itemName) {
    return new SessionCommand(UNSEAL, TpmConstants.TPM_CC_UNSEAL, new int[] {item}, new byte[][] {itemName},
        new byte[0], 0);
  }

  /** TPM2_Unseal's outData: a new array the caller zeroes. */
  static byte[] parseUnseal(byte[] parameters) throws KeytrustException {
    return secretTpm2b(parameters, UNSEAL, TpmConstants.MAX_SYM_DATA, "outData");
  }

  /**
   * A response whose parameters are one secret TPM2B of at most {@code max} bytes and nothing
   * else: its contents, a new array the caller zeroes (zeroed here when anything follows it).
   */
  private static byte[] secretTpm2b(byte[] parameters, String command, int max, String field) throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(parameters, "the " + command + " response");
    byte[] secret = in.tpm2b(max, field);
    try {
      in.finish();
      return secret;
    } catch (KeytrustException e) {
      Arrays.fill(secret, (byte) 0);
      throw e;
    }
  }

  /**
   * TPM2_ObjectChangeAuth of a loaded object (authorized in the ADMIN role with its current auth
   * value) under {@code parent}; {@code newAuth} is the TPM2B_AUTH in clear, kept for {@link
   * SessionCommand#wipe()}.
   */
  static SessionCommand objectChangeAuth(int object, byte[] objectName, int parent, byte[] parentName, byte[] newAuth) {
    TpmMarshaller m = new TpmMarshaller(newAuth.length + 2);
    try {
      m.tpm2b(newAuth);
      return new SessionCommand(OBJECT_CHANGE_AUTH, TpmConstants.TPM_CC_OBJECT_CHANGE_AUTH, new int[] {object, parent},
          new byte[][] {objectName, parentName}, m.toByteArray(), 0);
    } finally {
      m.wipe();
    }
  }

  /** TPM2_ObjectChangeAuth's outPrivate, with its size prefix. */
  static byte[] parseObjectChangeAuth(byte[] parameters) throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(parameters, "the " + OBJECT_CHANGE_AUTH + " response");
    byte[] outPrivate = tpm2bWithSize(in.tpm2b(MAX_BLOB, "outPrivate"));
    in.finish();
    return outPrivate;
  }

  // ---------------------------------------------------------------------------------------------

  private static TpmtPublic tpm2bPublic(TpmUnmarshaller in, String what) throws KeytrustException {
    int size = in.u16();
    if (size == 0) {
      throw in.malformed("outPublic is empty");
    }
    TpmUnmarshaller body = in.sub(size, "outPublic");
    return TpmtPublic.parse(body.bytes(size), what);
  }

  private static byte[] tpm2bWithSize(byte[] buffer) {
    return new TpmMarshaller(buffer.length + 2).tpm2b(buffer).toByteArray();
  }
}
