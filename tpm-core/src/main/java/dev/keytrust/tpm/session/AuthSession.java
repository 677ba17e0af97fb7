package dev.keytrust.tpm.session;

import static dev.keytrust.tpm.session.TpmConstants.TPMA_SESSION_CONTINUE_SESSION;
import static dev.keytrust.tpm.session.TpmConstants.TPMA_SESSION_DECRYPT;
import static dev.keytrust.tpm.session.TpmConstants.TPMA_SESSION_ENCRYPT;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One salted, unbound HMAC session (TPM_SE_HMAC, authHash SHA-256, AES-128-CFB parameter
 * encryption) and its rolling nonces. It can authorize any number of commands on any entity: the
 * HMAC key of each command is sessionKey || the entity's authValue, so the authValue is only ever
 * a key, never sent. Every response is verified (its HMAC over rpHash, with the new nonceTPM)
 * before anything in it is used or decrypted; a response that fails makes the session unusable
 * and raises {@code TPM_RESPONSE_NOT_AUTHENTIC}.
 *
 * <p>{@link #close()} flushes the session from the TPM and zeroes the session key. Not thread
 * safe: one operation owns a session from start to close.
 */
final class AuthSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuthSession.class);
  static final TpmHash HASH = TpmHash.SHA256;

  private final CommandChannel channel;
  private final SecureRandom random;
  private final int handle;
  private final byte[] sessionKey;
  private byte[] nonceTpm;
  private boolean broken;
  private boolean closed;

  private AuthSession(CommandChannel channel, SecureRandom random, int handle, byte[] sessionKey, byte[] nonceTpm) {
    this.channel = channel;
    this.random = random;
    this.handle = handle;
    this.sessionKey = sessionKey;
    this.nonceTpm = nonceTpm;
  }

  /**
   * Starts a session salted to the loaded or persistent key {@code tpmKeyHandle}, whose public area
   * the caller has verified (see {@link SessionOperations}). The salt leaves this process only
   * encrypted to that key.
   */
  static AuthSession startSalted(CommandChannel channel, int tpmKeyHandle, TpmtPublic tpmKey, SecureRandom random)
      throws KeytrustException {
    byte[] nonceCaller = nonce(random);
    try (SessionSalt salt = SessionSalt.create(tpmKey, random)) {
      TpmCommands.StartedSession started =
          TpmCommands.startAuthSession(channel, tpmKeyHandle, nonceCaller, salt.encryptedSalt(), HASH);
      byte[] nonceTpm = started.nonceTpm();
      byte[] key = SessionCrypto.sessionKey(HASH, salt.salt(), nonceTpm, nonceCaller);
      return new AuthSession(channel, random, started.handle(), key, nonceTpm);
    }
  }

  /** The session handle (0x02xxxxxx). */
  int handle() {
    return handle;
  }

  /**
   * Runs {@code command} with this session authorizing its first handle.
   *
   * @param authValue the authValue of the entity at the first handle (empty for the storage root
   *     key); read, not kept
   * @param attributes {@link TpmConstants#TPMA_SESSION_DECRYPT} to encrypt the first command
   *     parameter, {@link TpmConstants#TPMA_SESSION_ENCRYPT} to have the TPM encrypt the first
   *     response parameter; continueSession is always set
   * @return the verified response, its first parameter decrypted when asked
   * @throws KeytrustException the channel's error for a failing response code (raw code and
   *     command name kept); {@code TPM_RESPONSE_NOT_AUTHENTIC} when the response HMAC does not
   *     verify; {@code TPM_TRANSPORT} when the response is malformed
   */
  SessionResponse execute(SessionCommand command, byte[] authValue, int attributes) throws KeytrustException {
    if (closed || broken) {
      throw new KeytrustException(CoreErrorCode.INTERNAL,
          "The TPM session was " + (closed ? "closed" : "abandoned after a response failed its check") + ".");
    }
    int attrs = (attributes | TPMA_SESSION_CONTINUE_SESSION) & 0xFF;
    String what = "the " + command.name() + " response";
    byte[] nonceCaller = nonce(random);
    byte[] key = SessionCrypto.hmacKey(sessionKey, authValue);
    // keyed once for the command's HMAC, the response's and the CFB key; the JCA's copies of the
    // key inside it cannot be zeroed (see package-info), as with a Mac per computation before
    Mac keyed = HASH.mac(key);
    byte[] parameters = command.parameters();
    byte[] received = null;
    try {
      if ((attrs & TPMA_SESSION_DECRYPT) != 0) {
        firstParameter(parameters, command.name() + " parameters", true, keyed, nonceCaller, nonceTpm);
      }
      byte[] cpHash = SessionCrypto.cpHash(HASH, command.code(), command.names(), parameters);
      byte[] hmac = SessionCrypto.sessionHmac(keyed, cpHash, nonceCaller, nonceTpm, attrs);
      byte[] bytes = CommandBuffer.marshal(command.code(), command.handles(),
          new TpmsAuthCommand(handle, nonceCaller, attrs, hmac), moreAuthorizations(command), parameters);

      byte[] response = channel.execute(command.name(), bytes);
      ResponseBuffer r;
      try {
        r = ResponseBuffer.parse(response, what, command.responseHandles(), true, command.moreSessions());
      } catch (KeytrustException e) {
        broken = true;
        throw e;
      }
      TpmsAuthResponse auth = r.auth();
      received = r.parameters();
      byte[] rpHash = SessionCrypto.rpHash(HASH, command.code(), received);
      byte[] expected = SessionCrypto.sessionHmac(keyed, rpHash, auth.nonce(), nonceCaller, auth.sessionAttributes());
      if (!MessageDigest.isEqual(expected, auth.hmac())) {
        throw refused(command.name(), "its HMAC does not verify", r.handles());
      }
      if (auth.nonce().length < 16 || (auth.sessionAttributes() & TPMA_SESSION_CONTINUE_SESSION) == 0) {
        throw refused(command.name(), "the TPM ended the session or sent a short nonce", r.handles());
      }
      nonceTpm = auth.nonce();
      if ((attrs & TPMA_SESSION_ENCRYPT) != 0) {
        firstParameter(received, what, false, keyed, nonceTpm, nonceCaller);
      }
      SessionResponse result = new SessionResponse(r.handles(), received);
      received = null;
      return result;
    } finally {
      Arrays.fill(key, (byte) 0);
      Arrays.fill(parameters, (byte) 0);
      if (received != null) {
        Arrays.fill(received, (byte) 0);
      }
    }
  }

  /**
   * The authorizations of the handles after the first, none with a secret: the empty password, or
   * a policy session with a fresh nonceCaller, continueSession (its owner flushes it) and an empty
   * HMAC. A policy session whose policy asserted neither PolicyAuthValue nor PolicyPassword and
   * that is unbound and unsalted has an empty HMAC key, and the TPM then takes an empty HMAC as the
   * command's and returns an empty one (the TCG reference implementation, SessionProcess.c:
   * ComputeCommandHMAC and ComputeResponseHMAC). The first session's HMAC and parameter encryption
   * do not involve these sessions' nonces: the first session is the encrypting one (Part 1, 19.6.5).
   */
  private TpmsAuthCommand[] moreAuthorizations(SessionCommand command) {
    int[] sessions = command.moreSessions();
    TpmsAuthCommand[] more = new TpmsAuthCommand[sessions.length];
    for (int i = 0; i < sessions.length; i++) {
      more[i] = sessions[i] == TpmConstants.TPM_RS_PW
          ? new TpmsAuthCommand(TpmConstants.TPM_RS_PW, new byte[0], 0, new byte[0])
          : new TpmsAuthCommand(sessions[i], nonce(random), TPMA_SESSION_CONTINUE_SESSION, new byte[0]);
    }
    return more;
  }

  /** Encrypts or decrypts, in place, the buffer of the first parameter, which must be a TPM2B. */
  private static void firstParameter(byte[] parameters, String what, boolean encrypt, Mac keyed, byte[] nonceNewer,
      byte[] nonceOlder) throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(parameters, what);
    int size = in.u16();
    in.sub(size, "the first parameter");
    byte[] buffer = Arrays.copyOfRange(parameters, 2, 2 + size);
    try {
      SessionCrypto.cfb(encrypt, keyed, nonceNewer, nonceOlder, buffer);
      System.arraycopy(buffer, 0, parameters, 2, size);
    } finally {
      Arrays.fill(buffer, (byte) 0);
    }
  }

  /**
   * Marks the session unusable and builds the error for a response that failed verification. The
   * command did run in the TPM, so a transient object it returns (TPM2_Load's) is flushed: the
   * handle is the one thing taken from the refused response, only to free the TPM's slot (a
   * changed handle makes the flush fail, or flush another object of this connection).
   */
  private KeytrustException refused(String command, String why, int[] responseHandles) {
    broken = true;
    KeytrustException e = notAuthentic(command, why);
    for (int h : responseHandles) {
      if (TpmConstants.handleType(h) == TpmConstants.TPM_HT_TRANSIENT) {
        TpmCommands.flushQuietly(channel, h, e);
      }
    }
    return e;
  }

  private static KeytrustException notAuthentic(String command, String why) {
    return new KeytrustException(CoreErrorCode.TPM_RESPONSE_NOT_AUTHENTIC,
        "The TPM's response to " + command + " failed its integrity check (" + why + "): something between keytrust "
            + "and the TPM changed it. Nothing from it was used. Check what can reach the TPM's bus or socket "
            + "(a resource manager, a proxy, another process), and retry.");
  }

  private static byte[] nonce(SecureRandom random) {
    byte[] n = new byte[HASH.size()];
    random.nextBytes(n);
    return n;
  }

  /** Flushes the session (a failure is logged, never thrown) and zeroes its key. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Arrays.fill(sessionKey, (byte) 0);
    try {
      TpmCommands.flushContext(channel, handle);
    } catch (KeytrustException | RuntimeException e) {
      LOG.warn("could not flush TPM session 0x{}: {}", Integer.toHexString(handle), e.getMessage());
    }
  }

  @Override
  public String toString() {
    return String.format("AuthSession[0x%08X%s]", handle, closed ? ", closed" : broken ? ", abandoned" : "");
  }
}
