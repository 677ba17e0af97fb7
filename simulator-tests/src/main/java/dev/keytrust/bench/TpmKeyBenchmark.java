package dev.keytrust.bench;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.WrongPinException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.PinAuth;
import dev.keytrust.key.TpmKeyBlobs;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tss.Tpm;
import tss.tpm.TPMT_TK_HASHCHECK;
import tss.tpm.TPMU_SIGNATURE;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPMS_SIG_SCHEME_ECDSA;
import tss.tpm.TPMS_SIG_SCHEME_RSASSA;
import tss.tpm.TPMS_RSA_PARMS;
import tss.tpm.TPMU_SIG_SCHEME;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPM2B_PRIVATE;

/**
 * TPM user keys against a swtpm of the benchmark's own (one {@link TpmSession} per swtpm, which
 * serves one client at a time).
 *
 * <ul>
 *   <li>{@link #sign}: {@link HelloKeys#sign} over a {@link TpmKeyProvider}: key store read,
 *       SHA-256, PIN to auth value, then keytrust's salted HMAC session: TPM2_ReadPublic (the SRK
 *       check), TPM2_StartAuthSession (salt), TPM2_Load, TPM2_Sign, two TPM2_FlushContext, then JCA
 *       verification against the stored public key.
 *   <li>{@link #signDigestInTpm}: the same six TPM commands alone ({@link TpmSession#signDigest}),
 *       without the store read and the verification around them.
 *   <li>{@link #signDigestPassword}: the peer, kept in this benchmark only: what keytrust did before
 *       it had sessions, TPM2_ReadPublic, TPM2_Load, TPM2_Sign (the auth value in clear in a password
 *       session) and TPM2_FlushContext through TSS.Java; {@link #signDigestRaw}: those four commands'
 *       bytes (recorded in the set-up) sent again without TSS.Java. Session commands cannot be
 *       replayed on a TPM (each session has a fresh nonceTPM): {@link SessionOverhead} compares them
 *       with their raw replay against the recorded answers instead.
 *   <li>{@link #signDigestWrongPin}: the same with a wrong PIN's auth value: the TPM's auth failure
 *       round trip ({@link WrongPinException}, counted by the TPM). The swtpm allows 2^30 tries and
 *       its failure counter is reset after every iteration, so it never locks out.
 *   <li>{@link #signLoadedTss} and {@link #signLoadedRaw}: TPM2_Sign alone with the key loaded once
 *       in the set-up, through TSS.Java directly (keytrust has no API that keeps a key loaded) and
 *       as raw bytes.
 *   <li>{@link #createSigningKey}: TPM2_Create under the existing SRK (plus its ReadPublic check).
 *       RSA key generation in the TPM searches for primes, so its time varies widely from call to
 *       call: it is sampled ({@link Mode#SampleTime}) for percentiles, over few seconds.
 *   <li>{@link #getRandom32}: TPM2_GetRandom of 32 bytes, the cheapest command: the round trip
 *       through TSS.Java, the transport and swtpm, over MS-simulator TCP ({@code mssim://}) and a
 *       Unix socket ({@code unix:}); {@link #getRandom32Raw}: the same command bytes without TSS.Java
 *       (keytrust's socket transport alone).
 * </ul>
 *
 * <p>The storage root keys are created in the trial set-up, so no measurement includes
 * TPM2_CreatePrimary.
 */
@Fork(value = 1, jvmArgsAppend = {ForkOptions.SLF4J_NOP, ForkOptions.SLF4J_QUIET})
public class TpmKeyBenchmark {
  static final String USER = "bench";

  /**
   * A swtpm over {@code transport}, its SRK for {@code alg}, and a saved TPM key of that algorithm
   * for {@link #USER}; the four commands of one sign recorded for the raw replay.
   */
  @State(Scope.Benchmark)
  public static class KeyState extends SwtpmState {
    @Param({"rsa2048", "p256"})
    public String alg;

    @Param({"tcp", "unix"})
    public String transport;

    private List<CommandRecorder.Exchange> signCommands;
    private SecretBuffer wrongAuthValue;
    private Tpm passwordTss; // the password-session peer, on the fixture's connection
    private byte[] keyAuthBytes; // its copy of the auth value (TSS.Java sends it in clear)

    private HelloKeys keys;
    private KeyAlgorithm algorithm;
    private Pin pin;
    private SecretBuffer createAuthValue; // for createSigningKey (fresh salt)
    private byte[] message;
    private LoadableKey loadable;
    private SecretBuffer keyAuthValue; // the auth value of the saved key
    private byte[] digest;

    @Override
    String transport() {
      return transport;
    }

    @Override
    void setUpState() throws IOException, KeytrustException, NoSuchAlgorithmException {
      algorithm = KeyAlgorithm.fromId(alg);
      tpm.allowManyWrongPins();
      Path storeDir = tempDirectory("tpm-store");
      TpmSession session = tpm.session();
      keys = HelloKeys.of(new KeyContainerStore(storeDir.resolve("keys")), new TpmKeyProvider(session),
          session.describe());
      pin = Pin.moveFrom(new char[] {'4', '8', '2', '9', '1', '5'});
      byte[] salt = new byte[PinAuth.SALT_LENGTH];
      new SecureRandom().nextBytes(salt);
      createAuthValue = PinAuth.derive(pin, salt);
      message = "sign-in challenge from the benchmark".getBytes(StandardCharsets.UTF_8);
      KeyContainer key = keys.create(USER, algorithm, pin); // also creates and persists the SRK
      TpmKeyBlobs blobs = (TpmKeyBlobs) key.protectedKey();
      loadable = blobs.loadable();
      keyAuthValue = PinAuth.derive(pin, blobs.authSalt());
      digest = MessageDigest.getInstance("SHA-256").digest(message);
      try (Pin wrong = Pin.moveFrom(new char[] {'0', '0', '0', '0', '0', '0'})) {
        wrongAuthValue = PinAuth.derive(wrong, blobs.authSalt());
      }
      passwordTss = new Tpm();
      passwordTss._setDevice(new RawTssDevice(tpm.recorder()));
      keyAuthBytes = keyAuthValue.copy(dev.keytrust.secret.InsecureSecretAccess.get());
      // the password path's commands, recorded for the raw replay
      CommandRecorder.Exchange[] sent = passwordSign(this, true);
      signCommands = List.of(sent);
      tpm.recorder().replayChecked(signCommands);
    }

    /** Sets the TPM's failure counter back to 0 (wrong-PIN benchmarks add to it). */
    @TearDown(Level.Iteration)
    public void resetLockout() throws KeytrustException {
      tpm.resetLockout();
    }

    @Override
    void closeState() {
      try {
        if (keys != null) {
          keys.close();
        }
      } finally {
        if (pin != null) {
          pin.destroy();
        }
        if (keyAuthBytes != null) {
          Arrays.fill(keyAuthBytes, (byte) 0);
        }
        for (SecretBuffer auth : new SecretBuffer[] {createAuthValue, keyAuthValue, wrongAuthValue}) {
          if (auth != null) {
            auth.close();
          }
        }
      }
    }
  }

  /**
   * A swtpm reached over {@code transport}: {@code tcp} (mssim://) or {@code unix} (unix:), and the
   * bytes of one TPM2_GetRandom(32) as TSS.Java marshals them.
   */
  @State(Scope.Benchmark)
  public static class LinkState extends SwtpmState {
    @Param({"tcp", "unix"})
    public String transport;

    private byte[] getRandomCommand;

    @Override
    String transport() {
      return transport;
    }

    @Override
    void setUpState() throws KeytrustException {
      tpm.recorder().startRecording();
      tpm.session().getRandom(32);
      List<CommandRecorder.Exchange> sent = tpm.recorder().stopRecording();
      if (sent.size() != 1) {
        throw new IllegalStateException("getRandom(32) sent " + sent.size() + " commands, expected 1");
      }
      getRandomCommand = sent.get(0).command();
      tpm.recorder().replayChecked(sent);
    }
  }

  /**
   * A user key of {@code alg} loaded once (TPM2_Load in the set-up) on a swtpm over {@code
   * transport}, a TSS.Java {@link Tpm} on the same connection, and the bytes of one TPM2_Sign with it.
   */
  @State(Scope.Benchmark)
  public static class LoadedState extends SwtpmState {
    @Param({"rsa2048", "p256"})
    public String alg;

    @Param({"tcp", "unix"})
    public String transport;

    private Tpm tss;
    private TPM_HANDLE loaded;
    private byte[] digest;
    private byte[] signCommand;
    private TPMU_SIG_SCHEME scheme;

    @Override
    String transport() {
      return transport;
    }

    @Override
    void setUpState() throws KeytrustException, NoSuchAlgorithmException {
      KeyAlgorithm algorithm = KeyAlgorithm.fromId(alg);
      byte[] auth = new byte[32]; // this benchmark's raw TSS.Java path sends it again
      new SecureRandom().nextBytes(auth);
      digest = MessageDigest.getInstance("SHA-256").digest("sign-in challenge".getBytes(StandardCharsets.UTF_8));
      // a key made by keytrust (through its sessions), loaded once with TSS.Java's TPM2_Load (empty SRK auth)
      TpmSession.CreatedKey key;
      try (SecretBuffer secret = SecretBuffer.copyOf(auth)) {
        key = tpm.session().createSigningKey(algorithm.tpmKeyType(), secret);
      }
      RawTssDevice device = new RawTssDevice(tpm.recorder());
      tss = new Tpm();
      tss._setDevice(device);
      loaded = tss.Load(TPM_HANDLE.from(key.key().parentHandle()),
          TPM2B_PRIVATE.fromBytes(key.key().privateArea()), TPMT_PUBLIC.fromBytes(key.key().publicArea()));
      loaded.AuthValue = auth;
      scheme = PasswordSign.scheme(key.key().publicArea());
      tss.Sign(loaded, digest, scheme, new TPMT_TK_HASHCHECK());
      signCommand = device.lastCommand();
      if (CommandRecorder.responseCode(tpm.recorder().raw(signCommand)) != 0) {
        throw new IllegalStateException("TPM2_Sign with the loaded key failed on replay");
      }
    }

    @Override
    void closeState() {
      if (tss != null && loaded != null) {
        tss.FlushContext(loaded);
      }
    }
  }

  static final int TPM_CC_LOAD = 0x157;
  static final int TPM_CC_SIGN = 0x15D;

  /**
   * The password-session peer: TPM2_ReadPublic of the SRK, TPM2_Load, TPM2_Sign with the auth value
   * in clear, TPM2_FlushContext, through TSS.Java on the fixture's connection (what {@code
   * TpmSession.signDigest} did before keytrust had sessions).
   *
   * @return the four commands' bytes and response codes when {@code record}, else null
   */
  static CommandRecorder.Exchange[] passwordSign(KeyState s, boolean record) {
    Tpm t = s.passwordTss;
    java.util.List<CommandRecorder.Exchange> out = new java.util.ArrayList<>();
    t.ReadPublic(TPM_HANDLE.from(s.loadable.parentHandle()));
    if (record) {
      out.add(PasswordSign.last(t));
    }
    TPM_HANDLE h = t.Load(TPM_HANDLE.from(s.loadable.parentHandle()),
        TPM2B_PRIVATE.fromBytes(s.loadable.privateArea()), TPMT_PUBLIC.fromBytes(s.loadable.publicArea()));
    if (record) {
      out.add(PasswordSign.last(t));
    }
    try {
      h.AuthValue = s.keyAuthBytes;
      t.Sign(h, s.digest, PasswordSign.scheme(s.loadable.publicArea()), new TPMT_TK_HASHCHECK());
      if (record) {
        out.add(PasswordSign.last(t));
      }
    } finally {
      h.AuthValue = null;
      t.FlushContext(h);
      if (record) {
        out.add(PasswordSign.last(t));
      }
    }
    return record ? out.toArray(new CommandRecorder.Exchange[0]) : null;
  }

  /** Helpers of the password-session peer. */
  static final class PasswordSign {
    private PasswordSign() {}

    /** The last command TSS.Java sent (it succeeded: TSS.Java throws otherwise). */
    static CommandRecorder.Exchange last(Tpm t) {
      return new CommandRecorder.Exchange(((RawTssDevice) t._getDevice()).lastCommand(), 0);
    }

    /** RSASSA or ECDSA with SHA-256, given explicitly (works with either user key template). */
    static TPMU_SIG_SCHEME scheme(byte[] publicArea) {
      return TPMT_PUBLIC.fromBytes(publicArea).parameters instanceof TPMS_RSA_PARMS
          ? new TPMS_SIG_SCHEME_RSASSA(TPM_ALG_ID.SHA256)
          : new TPMS_SIG_SCHEME_ECDSA(TPM_ALG_ID.SHA256);
    }
  }

  /** Load + sign + flush in the TPM, with the store read before and the JCA verification after. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public byte[] sign(KeyState s) throws KeytrustException {
    return s.keys.sign(USER, s.message, s.pin);
  }

  /** TPM2_ReadPublic (SRK) + TPM2_Load + TPM2_Sign + TPM2_FlushContext, nothing else. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public byte[] signDigestInTpm(KeyState s) throws KeytrustException {
    return s.tpm.session().signDigest(s.loadable, s.keyAuthValue, s.digest);
  }

  /**
   * The password-session peer of {@link #signDigestInTpm} (this benchmark only): TPM2_ReadPublic,
   * TPM2_Load, TPM2_Sign with the auth value in clear, TPM2_FlushContext through TSS.Java.
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public Object signDigestPassword(KeyState s) {
    return passwordSign(s, false);
  }

  /** The four commands of {@link #signDigestPassword}, recorded in the set-up, sent as bytes without TSS.Java. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public byte[] signDigestRaw(KeyState s) throws KeytrustException {
    byte[] last = null;
    for (CommandRecorder.Exchange e : s.signCommands) {
      last = s.tpm.recorder().raw(e.command());
    }
    return last;
  }

  /** {@link #signDigestInTpm} with a wrong PIN's auth value: the TPM refuses the Sign (and counts it). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public Object signDigestWrongPin(KeyState s) throws KeytrustException {
    try {
      return s.tpm.session().signDigest(s.loadable, s.wrongAuthValue, s.digest);
    } catch (WrongPinException e) {
      return e;
    }
  }

  /** TPM2_Sign with the key already loaded, through TSS.Java (password session, marshalling). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public TPMU_SIGNATURE signLoadedTss(LoadedState s) {
    return s.tss.Sign(s.loaded, s.digest, s.scheme, new TPMT_TK_HASHCHECK());
  }

  /** The bytes of the same TPM2_Sign, sent without TSS.Java. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public byte[] signLoadedRaw(LoadedState s) throws KeytrustException {
    return s.tpm.recorder().raw(s.signCommand);
  }

  /** TPM2_Create of a user key under the SRK; nothing is stored and nothing stays loaded. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1, time = 3)
  @Measurement(iterations = 3, time = 5)
  public TpmSession.CreatedKey createSigningKey(KeyState s) throws KeytrustException {
    return s.tpm.session().createSigningKey(s.algorithm.tpmKeyType(), s.createAuthValue);
  }

  /** One TPM2_GetRandom(32): the round-trip baseline. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public byte[] getRandom32(LinkState s) throws KeytrustException {
    return s.tpm.session().getRandom(32);
  }

  /** The bytes of one TPM2_GetRandom(32) as TSS.Java marshals them, sent without TSS.Java. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 3, time = 3)
  public byte[] getRandom32Raw(LinkState s) throws KeytrustException {
    return s.tpm.recorder().raw(s.getRandomCommand);
  }
}
