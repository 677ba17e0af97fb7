package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.error.TpmCommandException;
import dev.keytrust.error.WrongPinException;
import dev.keytrust.tpm.session.CommandChannel;
import dev.keytrust.tpm.session.ObjectBlobs;
import dev.keytrust.tpm.session.ParentKey;
import dev.keytrust.tpm.session.PlainCommands;
import dev.keytrust.tpm.session.SessionOperations;
import java.io.ByteArrayOutputStream;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tss.Tpm;
import tss.TpmException;
import tss.tpm.CreatePrimaryResponse;
import tss.tpm.TPM2B_PRIVATE;
import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPMS_SENSITIVE_CREATE;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_RH;

/**
 * One connection to one TPM through TSS.Java, made safe to use.
 *
 * <p>What this layer fixes in TSS.Java 1.0.0 (see docs/tss-java.md): every call is serialized on
 * one lock (a {@code Tpm} is not thread safe); commands go through {@link TransportDevice}, which
 * bounds TPM_RC_RETRY and rejects layered errors; every command runs with {@code _allowErrors()}
 * so TSS.Java never prints {@code TPM ERROR} to stdout, and the raw response code becomes a typed
 * {@link KeytrustException}; the platform power and physical-presence calls are never made.
 *
 * <p><b>PIN-derived auth values never go through TSS.Java</b>, whose sessions are password
 * sessions that send them in clear. Every command that carries or proves one (TPM2_Create of a
 * user key or a sealed object, TPM2_Load and TPM2_Sign, TPM2_Load and TPM2_Unseal) runs through
 * keytrust's own salted HMAC sessions with parameter encryption ({@code dev.keytrust.tpm.session}),
 * sent by {@link #execute} under this session's lock, which each operation holds from its first
 * command to its last flush. The commands without a session that every provisioning and sign-in
 * sends (TPM2_Startup, TPM2_GetCapability, TPM2_GetRandom, TPM2_ReadPublic, TPM2_FlushContext) are
 * marshalled and parsed by keytrust too ({@code PlainCommands}), through the same {@link #execute}.
 * TSS.Java still marshals the rare commands that carry no secret: the storage root key's
 * CreatePrimary and EvictControl (empty owner authorization), TPM2_Load in {@link #requireLoadable},
 * and attestation's EK and NV commands.
 *
 * <p>The storage root keys follow the TCG templates (TCG TPM v2.0 Provisioning Guidance, and
 * EK/SRK templates with a zero-filled unique field) and live at 0x81000001 (RSA-2048) and
 * 0x81000002 (ECC P-256). An object found at those handles is used only when its public area
 * matches the template; keytrust never evicts what it did not create.
 *
 * <p><b>Threads and lifecycle.</b> A session is thread-safe: its commands run one at a time, and
 * each operation that takes several commands (create a key under the storage root key; load,
 * sign and flush a key) runs as a whole before another thread's command. A session holds a
 * connection to the TPM until {@link #close()}, which every session needs (try-with-resources).
 * How sessions of one JVM map to connections:
 *
 * <ul>
 *   <li>{@code device:/dev/tpmrm0} and {@code tbs:} have a resource manager: each session is a
 *       connection of its own, and the kernel or TBS keeps the sessions' objects apart.
 *   <li>A simulator ({@code mssim:}, {@code unix:}) serves one client connection at a time and
 *       leaves the others waiting without an answer. So the sessions opened on the same simulator
 *       URI share one connection and its lock: the first opens it, the last to close closes it,
 *       and two threads (two {@code HelloKeys}, two provisioning runs) use the simulator at the
 *       same time without waiting for each other to close. Another process using the simulator
 *       still has to wait: an open that gets no answer within {@value #FIRST_COMMAND_SECONDS} s is
 *       {@code TPM_UNREACHABLE}, naming the cause. If the shared connection fails (the simulator
 *       stopped), its sessions fail with {@code TPM_TRANSPORT} and the next open connects anew.
 *   <li>{@code device:/dev/tpm0} (no resource manager) takes one open at a time: a second gets
 *       {@code TPM_BUSY}. Use {@code /dev/tpmrm0}.
 * </ul>
 */
public final class TpmSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TpmSession.class);

  /** TCG-reserved persistent handle of the RSA-2048 storage root key. */
  public static final int SRK_RSA_HANDLE = TpmKeyType.RSA_2048.srkHandle();
  /** TCG-reserved persistent handle of the ECC P-256 storage root key. */
  public static final int SRK_ECC_HANDLE = TpmKeyType.ECC_P256.srkHandle();

  /** TPM2_GetCapability(TPM_CAP_HANDLES) ranges (Part 2, TPM_HT). */
  private static final int TRANSIENT_OBJECTS = 0x80000000;
  private static final int LOADED_SESSIONS = 0x02000000;
  private static final int SAVED_SESSIONS = 0x03000000;

  static final int MAX_RETRIES = 12;

  private final TpmConnection connection;
  private final ReentrantLock lock; // the connection's: one command at a time on it
  private final SecureRandom random = new SecureRandom();
  private final Tpm tpm;
  private final TransportDevice device;
  private final String description;
  private final CommandTimeouts timeouts; // this session's, given to the connection before its commands
  private final CommandChannel channel = this::execute; // keytrust's own marshalling, this session's path
  private boolean closed;

  private TpmSession(TpmConnection connection, CommandTimeouts timeouts) {
    this.connection = connection;
    this.lock = connection.lock;
    this.tpm = connection.tpm;
    this.device = connection.device;
    this.description = connection.device.transport().describe();
    this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
  }

  /** Opens the TPM a URI names with the default I/O timeout. */
  public static TpmSession open(TpmUri uri) throws KeytrustException {
    return open(uri, TpmTransports.DEFAULT_IO_TIMEOUT);
  }

  /**
   * Opens the TPM a URI names; {@code ioTimeout} is the timeout of key generation, and of every
   * other command too when it is shorter than {@link CommandTimeouts#DEFAULT_COMMAND} ({@link
   * CommandTimeouts#upTo}).
   */
  public static TpmSession open(TpmUri uri, Duration ioTimeout) throws KeytrustException {
    return open(uri, CommandTimeouts.upTo(ioTimeout));
  }

  /**
   * Opens the TPM a URI names, with a timeout for key generation and one for every other command.
   * Sessions on the same simulator URI ({@code mssim:}, {@code unix:}) share this JVM's one
   * connection to it, since a simulator serves one client at a time: a second session joins the
   * first's connection at once instead of waiting for it to close (see the class comment); each
   * session's commands keep that session's timeouts.
   */
  public static TpmSession open(TpmUri uri, CommandTimeouts timeouts) throws KeytrustException {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(timeouts, "timeouts");
    if (TpmConnection.isShared(uri)) {
      return TpmConnection.shared(uri, () -> openSimulator(uri, timeouts), c -> new TpmSession(c, timeouts));
    }
    return open(TpmTransports.open(uri, timeouts.longest()), false, timeouts, TpmSession::sleep);
  }

  private static TpmSession openSimulator(TpmUri uri, CommandTimeouts timeouts) throws KeytrustException {
    Duration ioTimeout = timeouts.longest();
    TpmTransport transport = TpmTransports.open(uri, ioTimeout);
    if (!(transport instanceof StreamTransport st)) {
      return open(transport, true, timeouts, TpmSession::sleep);
    }
    // A simulator serves one client at a time and queues the rest silently: a connect succeeds,
    // the first command waits. Give that first exchange a short timeout and a message that says so.
    Duration first = ioTimeout.compareTo(FIRST_COMMAND_TIMEOUT) < 0 ? ioTimeout : FIRST_COMMAND_TIMEOUT;
    Duration firstWait = timeouts.command().compareTo(first) < 0 ? timeouts.command() : first;
    try {
      st.setIoTimeout(first);
      TpmSession session = open(transport, true, timeouts, TpmSession::sleep);
      st.setIoTimeout(ioTimeout);
      return session;
    } catch (KeytrustException e) {
      transport.close();
      if (e.code() == CoreErrorCode.TPM_TRANSPORT && timedOut(e)) {
        throw new KeytrustException(
            CoreErrorCode.TPM_UNREACHABLE,
            "The TPM simulator at " + uri + " accepted the connection but did not answer within "
                + CommandTimeouts.human(firstWait) + ". A simulator serves one client at a time: close the other program "
                + "using it (another keytrust, tpm2-tools, a test) and retry.",
            e);
      }
      throw e;
    }
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.net.SocketTimeoutException || c instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** How long the first command to a simulator may take before keytrust reports it as busy. */
  static final int FIRST_COMMAND_SECONDS = 10;

  static final Duration FIRST_COMMAND_TIMEOUT = Duration.ofSeconds(FIRST_COMMAND_SECONDS);

  /**
   * Opens a session over a transport the caller built.
   *
   * @param simulator true for a TPM without resource manager and firmware start-up (swtpm and
   *     the MS/IBM simulators): the session then sends TPM2_Startup if the TPM has not had one, and
   *     flushes the transient objects and sessions (loaded or saved) an earlier client left in it
   */
  public static TpmSession open(TpmTransport transport, boolean simulator) throws KeytrustException {
    return open(transport, simulator, CommandTimeouts.defaults(), TpmSession::sleep);
  }

  /** As {@link #open(TpmTransport, boolean)}, sending each command with its timeout from {@code timeouts}. */
  public static TpmSession open(TpmTransport transport, boolean simulator, CommandTimeouts timeouts)
      throws KeytrustException {
    return open(transport, simulator, timeouts, TpmSession::sleep);
  }

  static TpmSession open(TpmTransport transport, boolean simulator, java.util.function.LongConsumer sleeper)
      throws KeytrustException {
    return open(transport, simulator, CommandTimeouts.defaults(), sleeper);
  }

  static TpmSession open(
      TpmTransport transport, boolean simulator, CommandTimeouts timeouts, java.util.function.LongConsumer sleeper)
      throws KeytrustException {
    TransportDevice device = new TransportDevice(transport, timeouts, MAX_RETRIES, 20, sleeper);
    TpmSession s = new TpmSession(new TpmConnection(device, timeouts), timeouts);
    try {
      if (simulator) {
        s.prepareSimulator();
      }
      return s;
    } catch (KeytrustException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportDevice.TransportFailure(
          new KeytrustException(CoreErrorCode.TPM_BUSY, "Interrupted while waiting for a busy TPM."));
    }
  }

  TpmConnection connection() {
    return connection;
  }

  /** The transport's description, e.g. {@code mssim://127.0.0.1:2321}. */
  public String describe() {
    return description;
  }

  // ---------------------------------------------------------------------------------------------
  // command plumbing

  /**
   * Runs one TPM command with errors allowed (so TSS.Java neither prints nor throws) and turns a
   * non-zero response code into a typed error.
   */
  <T> T call(String command, Function<Tpm, T> op) throws KeytrustException {
    lock.lock();
    try {
      if (closed) {
        throw new KeytrustException(CoreErrorCode.INTERNAL, "The TPM session is closed.");
      }
      connection.useTimeouts(timeouts);
      device.resetLastResponseCode();
      T result;
      try {
        result = op.apply(tpm._allowErrors());
      } catch (TransportDevice.TransportFailure f) {
        throw f.error();
      } catch (TpmException e) {
        throw new KeytrustException(
            CoreErrorCode.TPM_TRANSPORT,
            command + ": the TPM's response could not be decoded (" + e.getMessage() + "). The TPM or its "
                + "driver returned malformed data.",
            e);
      } catch (RuntimeException e) {
        throw new KeytrustException(
            CoreErrorCode.TPM_TRANSPORT,
            command + ": TSS.Java failed with " + e.getClass().getSimpleName() + ": " + e.getMessage() + ".",
            e);
      }
      int rc = device.lastResponseCode();
      if (rc != TpmResponseCodes.SUCCESS) {
        throw responseError(command, rc);
      }
      return result;
    } finally {
      lock.unlock();
    }
  }

  private void run(String command, java.util.function.Consumer<Tpm> op) throws KeytrustException {
    call(command, t -> {
      op.accept(t);
      return null;
    });
  }

  /** A command keytrust marshals itself, sent through {@link #channel}. */
  @FunctionalInterface
  private interface Command {
    void run() throws KeytrustException;
  }

  /** Runs a command and returns its raw response code instead of raising it. */
  private int rcOf(Command op) throws KeytrustException {
    lock.lock();
    try {
      try {
        op.run();
        return TpmResponseCodes.SUCCESS;
      } catch (TpmCommandException e) {
        return e.responseCode();
      }
    } finally {
      lock.unlock();
    }
  }

  /** This session's channel for the commands keytrust marshals itself: {@link #execute}. */
  CommandChannel commands() {
    return channel;
  }

  /** Maps a TPM response code to the error a caller can act on ({@link ResponseErrors}). */
  KeytrustException responseError(String command, int rc) {
    return ResponseErrors.of(command, rc, this::dictionaryAttackState);
  }

  // ---------------------------------------------------------------------------------------------
  // start-up

  private void startup() throws KeytrustException {
    int rc = rcOf(() -> PlainCommands.startup(channel, PlainCommands.TPM_SU_CLEAR));
    if (rc != TpmResponseCodes.SUCCESS && rc != TpmResponseCodes.INITIALIZE) {
      throw responseError("TPM2_Startup", rc);
    }
  }

  /**
   * Readies a simulator (no firmware start-up, no resource manager) for this connection: sends
   * TPM2_Startup(CLEAR) if the TPM has not had one since it was powered on, and flushes the
   * transient objects and sessions an earlier client left in it (a crashed one, or one that saved
   * its sessions and went away).
   *
   * <p>TPM2_Startup goes out only when the first command is refused with TPM_RC_INITIALIZE, which
   * a TPM returns for every command but TPM2_Startup until it has had one (Part 1, "Startup"); the
   * command is then sent again. A simulator that is already running (every open but the first after
   * it starts) is spared that round trip; tpm2-tss and go-tpm do not send TPM2_Startup on a
   * connection either. Sessions are listed only when TPM_PT_HR_ACTIVE (loaded plus saved sessions)
   * is not 0; transient objects have no such count, so they are always listed.
   */
  private void prepareSimulator() throws KeytrustException {
    lock.lock();
    try {
      List<Integer> stale = new ArrayList<>(transientHandlesAfterStartup());
      Integer active = TpmFacts.properties(this, TpmFacts.PT_HR_ACTIVE, 1).get(TpmFacts.PT_HR_ACTIVE);
      if (active == null || active != 0) {
        stale.addAll(PlainCommands.allHandles(channel, LOADED_SESSIONS));
        for (int h : PlainCommands.allHandles(channel, SAVED_SESSIONS)) {
          if (!stale.contains(h)) {
            stale.add(h);
          }
        }
      }
      for (int h : stale) {
        LOG.info("flushing handle 0x{} left in the simulator by an earlier client", Integer.toHexString(h));
        flush(h);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The transient objects loaded, after TPM2_Startup if the TPM has not had one yet. */
  private List<Integer> transientHandlesAfterStartup() throws KeytrustException {
    try {
      return PlainCommands.allHandles(channel, TRANSIENT_OBJECTS);
    } catch (TpmCommandException e) {
      if (e.responseCode() != TpmResponseCodes.INITIALIZE) {
        throw e;
      }
    }
    startup();
    return PlainCommands.allHandles(channel, TRANSIENT_OBJECTS);
  }

  private void flush(int handle) {
    try {
      PlainCommands.flushContext(channel, handle);
    } catch (KeytrustException e) {
      LOG.warn("could not flush TPM handle 0x{}: {}", Integer.toHexString(handle), e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // facts

  /** Reads the dictionary-attack state. */
  public DictionaryAttackState dictionaryAttackState() throws KeytrustException {
    return TpmFacts.dictionaryAttackState(this);
  }

  /** Everything {@code keytrust tpm info} shows. */
  public TpmInfo info() throws KeytrustException {
    return TpmFacts.info(this);
  }

  // ---------------------------------------------------------------------------------------------
  // storage root keys

  /** A storage root key at its persistent handle. */
  public record StorageRootKey(int handle, byte[] name, boolean createdNow) {
    public StorageRootKey {
      name = name.clone();
    }

    @Override
    public byte[] name() {
      return name.clone();
    }
  }

  private PlainCommands.PublicArea readPublicOrNull(int handle) throws KeytrustException {
    lock.lock();
    try {
      try {
        return PlainCommands.readPublic(channel, handle);
      } catch (TpmCommandException e) {
        if (TpmResponseCodes.base(e.responseCode()) == TpmResponseCodes.HANDLE) {
          return null;
        }
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  SrkStatus srkStatus(TpmKeyType alg) throws KeytrustException {
    int handle = alg.srkHandle();
    PlainCommands.PublicArea r = readPublicOrNull(handle);
    boolean matches = r != null && r.matchesTemplate(TpmTemplates.srkTemplateBytes(alg));
    return new SrkStatus(alg.id(), handle, r != null, matches);
  }

  /**
   * Returns the storage root key for {@code alg}, creating it from the TCG template and making it
   * persistent when its handle is empty.
   *
   * @throws KeytrustException {@code TPM_SRK_MISMATCH} when another object occupies the handle
   */
  public StorageRootKey storageRootKey(TpmKeyType alg) throws KeytrustException {
    lock.lock();
    try {
      int handle = alg.srkHandle();
      PlainCommands.PublicArea existing = readPublicOrNull(handle);
      if (existing != null) {
        if (!existing.matchesTemplate(TpmTemplates.srkTemplateBytes(alg))) {
          throw new KeytrustException(
              CoreErrorCode.TPM_SRK_MISMATCH,
              String.format(
                  "The object persisted at 0x%08X is not a TCG %s storage root key (its public area differs from "
                      + "the template), so keytrust will neither use nor evict it. If it is not needed, evict it "
                      + "with 'tpm2_evictcontrol -C o -c 0x%08X' and retry.",
                  handle, alg.id(), handle));
        }
        return new StorageRootKey(handle, existing.name(), false);
      }
      LOG.info("creating the {} storage root key at 0x{}", alg.id(), Integer.toHexString(handle));
      CreatePrimaryResponse created =
          call("TPM2_CreatePrimary", t -> t.CreatePrimary(TPM_HANDLE.from(TPM_RH.OWNER),
              new TPMS_SENSITIVE_CREATE(new byte[0], new byte[0]), TpmTemplates.srkTemplate(alg), new byte[0],
              new TPMS_PCR_SELECTION[0]));
      try {
        run("TPM2_EvictControl",
            t -> t.EvictControl(TPM_HANDLE.from(TPM_RH.OWNER), created.handle, TPM_HANDLE.from(handle)));
      } finally {
        flush(created.handle.handle);
      }
      PlainCommands.PublicArea persisted = readPublicOrNull(handle);
      if (persisted == null || !Arrays.equals(persisted.name(), created.name)) {
        throw new KeytrustException(
            CoreErrorCode.TPM_COMMAND_FAILED,
            String.format("The storage root key was made persistent at 0x%08X but does not read back.", handle));
      }
      return new StorageRootKey(handle, created.name, true);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks, without its auth value, that a key made earlier still works in this TPM: its storage
   * root key is the one it was made under (same Name at the same handle), and the TPM loads its
   * blobs (TPM2_Load, then flushed). Creates nothing and spends no PIN try, so {@code status} can
   * tell a lost key from a wrong PIN: after the TPM was cleared, its firmware update changed the
   * storage seed, or the key store came from another machine.
   *
   * @throws KeytrustException {@code TPM_SRK_MISMATCH} when the storage root key is gone or another
   *     one; {@code TPM_KEY_NOT_LOADABLE} when the TPM refuses the blobs; TPM errors as any command
   */
  public void requireLoadable(LoadableKey key) throws KeytrustException {
    Objects.requireNonNull(key, "key");
    lock.lock();
    try {
      PlainCommands.PublicArea parent = readPublicOrNull(key.parentHandle());
      if (parent == null || !Arrays.equals(parent.name(), key.parentName())) {
        throw new KeytrustException(
            CoreErrorCode.TPM_SRK_MISMATCH,
            String.format(
                "The storage root key this key was made under is %s at 0x%08X: the TPM was cleared or the key "
                    + "store belongs to another TPM. The key cannot be used: delete it and provision again.",
                parent == null ? "no longer" : "not the same", key.parentHandle()));
      }
      TPMT_PUBLIC pub = TPMT_PUBLIC.fromBytes(key.publicArea());
      TPM2B_PRIVATE priv = TPM2B_PRIVATE.fromBytes(key.privateArea());
      TPM_HANDLE loaded = call("TPM2_Load", t -> t.Load(TPM_HANDLE.from(key.parentHandle()), priv, pub));
      flush(loaded.handle);
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // user keys and sealed data: through salted HMAC sessions with parameter encryption

  /**
   * A user key just created by TPM2_Create.
   *
   * @param key the key's blobs, loadable under its storage root key
   * @param publicKey the public key as a JCA key
   */
  public record CreatedKey(LoadableKey key, PublicKey publicKey) {}

  /**
   * The session layer over this connection: its commands go through {@link #execute}, so they share
   * this session's lock, retries and error mapping. Callers hold {@link #lock} across a whole
   * operation, so no other command (and no other object: swtpm has three slots) comes in between.
   */
  private SessionOperations sessions() {
    return new SessionOperations(channel, random);
  }

  /**
   * Creates a signing key under the storage root key for {@code alg} with the given auth value
   * (keytrust derives it from the PIN). The private key is generated inside the TPM and never
   * leaves it: only the parent-wrapped private blob comes back. TPM2_Create runs in an HMAC
   * session salted to the storage root key (its Name checked first) that encrypts inSensitive, so
   * the auth value never crosses the bus in clear.
   *
   * @throws KeytrustException {@code TPM_DA_DISABLED} when the TPM would not count wrong PINs;
   *     {@code TPM_SRK_MISMATCH}; {@code TPM_RESPONSE_NOT_AUTHENTIC} when a response or the
   *     session was changed on the way
   */
  public CreatedKey createSigningKey(TpmKeyType alg, SecretBuffer authValue) throws KeytrustException {
    Objects.requireNonNull(alg, "alg");
    checkAuth(authValue);
    lock.lock();
    try {
      requireDictionaryAttackProtection("key");
      StorageRootKey srk = storageRootKey(alg);
      ObjectBlobs made = sessions().createSigningKey(new ParentKey(srk.handle(), srk.name()), alg, authValue);
      byte[] publicArea = made.publicArea();
      return new CreatedKey(new LoadableKey(srk.handle(), srk.name(), publicArea, made.privateArea()),
          TpmObjects.publicKey(publicArea));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Loads a user key, signs a SHA-256 digest with it and flushes it again, in one HMAC session
   * salted to its storage root key: the auth value is only the key of the command's HMAC, never
   * sent. The scheme (RSASSA or ECDSA, SHA-256) is given explicitly, so keys whose template has
   * scheme NULL and keys whose template names the scheme both sign.
   *
   * @return the signature as JCA verifies it: PKCS#1 v1.5 bytes (RSA) or DER {@code SEQUENCE {r, s}}
   * @throws WrongPinException on a wrong auth value, with the TPM's tries left
   * @throws LockedOutException when the TPM is in dictionary-attack lockout
   */
  public byte[] signDigest(LoadableKey key, SecretBuffer authValue, byte[] sha256) throws KeytrustException {
    checkAuth(authValue);
    if (sha256 == null || sha256.length != 32) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "A SHA-256 digest is 32 bytes.");
    }
    lock.lock();
    try {
      return sessions().sign(parentOf(key), blobsOf(key), authValue, sha256);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Seals {@code secret} (1 to 128 bytes) in a sealed data object under the storage root key for
   * {@code srk}: its auth value is {@code authValue} (PIN-derived), it has no noDA, so every wrong
   * auth value counts against the TPM's dictionary-attack protection. TPM2_Create's inSensitive
   * (the auth value and the secret) is encrypted by the session.
   *
   * @return the object's blobs, loadable under that storage root key
   */
  public LoadableKey createSealedObject(TpmKeyType srk, SecretBuffer authValue, SecretBuffer secret)
      throws KeytrustException {
    Objects.requireNonNull(srk, "srk");
    checkAuth(authValue);
    lock.lock();
    try {
      requireDictionaryAttackProtection("sealed secret");
      StorageRootKey parent = storageRootKey(srk);
      ObjectBlobs made = sessions().createSealedObject(new ParentKey(parent.handle(), parent.name()), authValue, secret);
      return new LoadableKey(parent.handle(), parent.name(), made.publicArea(), made.privateArea());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Loads a sealed data object and unseals it with {@code authValue} through a session that has
   * the TPM encrypt the result; the object is flushed before this returns.
   *
   * @return the secret in a buffer the caller closes
   * @throws WrongPinException on a wrong auth value, with the TPM's tries left
   * @throws LockedOutException when the TPM is in dictionary-attack lockout
   */
  public SecretBuffer unseal(LoadableKey sealed, SecretBuffer authValue) throws KeytrustException {
    checkAuth(authValue);
    lock.lock();
    try {
      return sessions().unseal(parentOf(sealed), blobsOf(sealed), authValue);
    } finally {
      lock.unlock();
    }
  }

  /**
   * TPM2_Certify of {@code key} by the attestation key {@code ak} through an HMAC session keyed
   * with the key's auth value ({@link SessionOperations#certify}).
   *
   * @return the TPMS_ATTEST (without its size) and the TPMT_SIGNATURE
   */
  byte[][] certify(LoadableKey key, SecretBuffer keyAuth, LoadableKey ak, byte[] qualifyingData)
      throws KeytrustException {
    checkAuth(keyAuth);
    lock.lock();
    try {
      return sessions().certify(parentOf(key), blobsOf(key), keyAuth, parentOf(ak), blobsOf(ak), qualifyingData);
    } finally {
      lock.unlock();
    }
  }

  /**
   * TPM2_ActivateCredential of the attestation key {@code ak} (loaded for the command and flushed)
   * with the EK at {@code ekHandle} authorized by {@code ekPolicySession}, through an HMAC session
   * salted to the AK's storage root key that has the TPM encrypt the credential ({@link
   * SessionOperations#activateCredential}).
   */
  SecretBuffer activateCredential(LoadableKey ak, int ekHandle, byte[] ekName, int ekPolicySession,
      byte[] credentialBlob, byte[] encryptedSecret) throws KeytrustException {
    lock.lock();
    try {
      return sessions().activateCredential(parentOf(ak), blobsOf(ak), ekHandle, ekName, ekPolicySession,
          credentialBlob, encryptedSecret);
    } finally {
      lock.unlock();
    }
  }

  private static ParentKey parentOf(LoadableKey key) throws KeytrustException {
    Objects.requireNonNull(key, "key");
    try {
      return new ParentKey(key.parentHandle(), key.parentName());
    } catch (IllegalArgumentException e) {
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The key's parent handle is not a persistent handle (" + e.getMessage() + "): the key file is damaged.", e);
    }
  }

  private static ObjectBlobs blobsOf(LoadableKey key) {
    return new ObjectBlobs(key.publicArea(), key.privateArea());
  }

  /**
   * Refuses to create a PIN-protected object on a TPM that would not count wrong PINs. The auth
   * value is a fast function of a short PIN: only the TPM's counting makes it safe; and with a
   * maximum of 0 tries the TPM is locked for good, so the object could never be used.
   */
  private void requireDictionaryAttackProtection(String what) throws KeytrustException {
    DictionaryAttackState da = dictionaryAttackState();
    if (da.lockoutInterval().isZero() || da.maxAuthFail() == 0) {
      throw new KeytrustException(
          CoreErrorCode.TPM_DA_DISABLED,
          (da.lockoutInterval().isZero()
                  ? "This TPM's dictionary-attack protection is off (TPM_PT_LOCKOUT_INTERVAL is 0): it does not "
                      + "count wrong PINs, so nothing would limit guesses of the PIN."
                  : "This TPM allows 0 failed authorizations (TPM_PT_MAX_AUTH_FAIL is 0): it is permanently in "
                      + "lockout, so a PIN-protected " + what + " could never be used.")
              + " keytrust creates no PIN-protected " + what + " on it. Have the TPM owner set working parameters, "
              + "e.g. tpm2_dictionarylockout --setup-parameters --max-tries 32 --recovery-time 600 "
              + "--lockout-recovery-time 86400, then retry.");
    }
  }

  /** Fails unless the storage root key a key was made under is still at its handle (same Name). */
  void requireParent(LoadableKey key, String what) throws KeytrustException {
    PlainCommands.PublicArea parent = readPublicOrNull(key.parentHandle());
    if (parent == null || !Arrays.equals(parent.name(), key.parentName())) {
      throw new KeytrustException(
          CoreErrorCode.TPM_SRK_MISMATCH,
          String.format(
              "The storage root key this %s was made under is %s at 0x%08X: the TPM was cleared or the key "
                  + "store belongs to another TPM. The %s cannot be used: delete it and provision again.",
              what, parent == null ? "no longer" : "not the same", key.parentHandle(), what));
    }
  }

  /** Holds the command lock across several commands ({@link AttestationCommands}); re-entrant. */
  void lockForAttestation() {
    lock.lock();
  }

  void unlockForAttestation() {
    lock.unlock();
  }

  /** Flushes a transient handle or session; a failure is logged, never thrown (for finally blocks). */
  void flushQuietly(int handle) {
    flush(handle);
  }

  private static void checkAuth(SecretBuffer authValue) throws KeytrustException {
    if (authValue == null || authValue.size() > 32) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "A key auth value is at most 32 bytes (SHA-256).");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // raw commands

  /**
   * Sends one marshalled command as it is, serialized with every other command of this session,
   * with the same bounded retries of TPM_RC_RETRY/YIELDED/TESTING, and returns the response. For
   * commands keytrust marshals itself (sessions with HMAC and parameter encryption, lab
   * administration). The command buffer is zeroed once sent (it may carry an HMAC).
   *
   * @param command the command's name for messages, e.g. {@code TPM2_Unseal}
   * @return the whole response (header, handles, parameters, sessions) of a successful command
   * @throws KeytrustException the typed error of a non-success response code, as for every other
   *     command; transport errors
   */
  public byte[] execute(String command, byte[] marshalled) throws KeytrustException {
    lock.lock();
    try {
      if (closed) {
        throw new KeytrustException(CoreErrorCode.INTERNAL, "The TPM session is closed.");
      }
      connection.useTimeouts(timeouts);
      device.resetLastResponseCode();
      byte[] response;
      try {
        device.dispatchCommand(marshalled);
        response = device.getResponse();
      } catch (TransportDevice.TransportFailure f) {
        throw f.error();
      }
      int rc = device.lastResponseCode();
      if (rc != TpmResponseCodes.SUCCESS) {
        throw responseError(command, rc);
      }
      return response;
    } finally {
      lock.unlock();
    }
  }

  /** Random bytes from the TPM's RNG (TPM2_GetRandom, looped past the TPM's per-call limit). */
  public byte[] getRandom(int n) throws KeytrustException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(n);
    while (out.size() < n) {
      int want = Math.min(32, n - out.size());
      byte[] got = PlainCommands.getRandom(channel, want);
      if (got == null || got.length == 0) {
        throw new KeytrustException(CoreErrorCode.TPM_COMMAND_FAILED, "TPM2_GetRandom returned no bytes.");
      }
      out.write(got, 0, got.length);
    }
    return Arrays.copyOf(out.toByteArray(), n);
  }

  /**
   * Ends this session once its command in progress (another thread's call) has returned, and
   * closes the connection unless other sessions share it. Idempotent.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lock.unlock();
    }
    connection.release();
  }

  @Override
  public String toString() {
    return "TpmSession[" + description + "]";
  }
}
