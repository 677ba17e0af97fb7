package dev.keytrust.bench;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.PinAuth;
import dev.keytrust.key.TpmKeyBlobs;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.tpm.TpmSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
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
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TPM user keys against a swtpm of the benchmark's own (one {@link TpmSession} per swtpm, which
 * serves one client at a time).
 *
 * <ul>
 *   <li>{@link #sign}: {@link HelloKeys#sign} over a {@link TpmKeyProvider}: key store read,
 *       SHA-256, PIN to auth value, then TPM2_ReadPublic (the SRK check), TPM2_Load, TPM2_Sign and
 *       TPM2_FlushContext, then JCA verification against the stored public key.
 *   <li>{@link #signDigestInTpm}: the same four TPM commands alone ({@link TpmSession#signDigest}),
 *       without the store read and the verification around them.
 *   <li>{@link #createSigningKey}: TPM2_Create under the existing SRK (plus its ReadPublic check).
 *       RSA key generation in the TPM searches for primes, so its time varies widely from call to
 *       call: it is sampled ({@link Mode#SampleTime}) for percentiles, over few seconds.
 *   <li>{@link #getRandom32}: TPM2_GetRandom of 32 bytes, the cheapest command: the round trip
 *       through TSS.Java, the transport and swtpm, over MS-simulator TCP ({@code mssim://}) and a
 *       Unix socket ({@code unix:}).
 * </ul>
 *
 * <p>The storage root keys are created in the trial set-up, so no measurement includes
 * TPM2_CreatePrimary.
 */
@Fork(value = 1, jvmArgsAppend = {ForkOptions.SLF4J_NOP, ForkOptions.SLF4J_QUIET})
public class TpmKeyBenchmark {
  static final String USER = "bench";

  /** A swtpm over TCP, its SRK for {@code alg}, and a saved TPM key of that algorithm for {@link #USER}. */
  @State(Scope.Benchmark)
  public static class KeyState {
    @Param({"rsa2048", "p256"})
    public String alg;

    private SwtpmFixture tpm;
    private Path storeDir;
    private HelloKeys keys;
    private KeyAlgorithm algorithm;
    private char[] pin;
    private byte[] createAuthValue; // for createSigningKey (fresh salt)
    private byte[] message;
    private TpmKeyBlobs blobs;
    private byte[] keyAuthValue; // the auth value of the saved key
    private byte[] digest;

    @Setup(Level.Trial)
    public void setUp() throws IOException, KeytrustException, NoSuchAlgorithmException {
      algorithm = KeyAlgorithm.fromId(alg);
      tpm = SwtpmFixture.start(Swtpm.Mode.TCP);
      storeDir = BenchFiles.createTempDirectory("tpm-store");
      TpmSession session = tpm.session();
      keys = HelloKeys.of(new KeyContainerStore(storeDir.resolve("keys")), new TpmKeyProvider(session),
          session.describe());
      pin = new char[] {'4', '8', '2', '9', '1', '5'};
      byte[] salt = new byte[PinAuth.SALT_LENGTH];
      new SecureRandom().nextBytes(salt);
      createAuthValue = PinAuth.derive(pin, salt);
      message = "sign-in challenge from the benchmark".getBytes(StandardCharsets.UTF_8);
      KeyContainer key = keys.create(USER, algorithm, pin); // also creates and persists the SRK
      blobs = (TpmKeyBlobs) key.protectedKey();
      keyAuthValue = PinAuth.derive(pin, blobs.authSalt());
      digest = MessageDigest.getInstance("SHA-256").digest(message);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      try {
        if (keys != null) {
          keys.close();
        }
        if (tpm != null) {
          tpm.close();
        }
      } finally {
        if (pin != null) {
          Arrays.fill(pin, '\0');
        }
        if (createAuthValue != null) {
          Arrays.fill(createAuthValue, (byte) 0);
        }
        if (keyAuthValue != null) {
          Arrays.fill(keyAuthValue, (byte) 0);
        }
        BenchFiles.deleteRecursively(storeDir);
      }
    }
  }

  /** A swtpm reached over {@code transport}: {@code tcp} (mssim://) or {@code unix} (unix:). */
  @State(Scope.Benchmark)
  public static class LinkState {
    @Param({"tcp", "unix"})
    public String transport;

    private SwtpmFixture tpm;

    @Setup(Level.Trial)
    public void setUp() throws IOException, KeytrustException {
      tpm = SwtpmFixture.start(Swtpm.Mode.valueOf(transport.toUpperCase(Locale.ROOT)));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      if (tpm != null) {
        tpm.close();
      }
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
    return s.tpm.session().signDigest(s.blobs, s.keyAuthValue, s.digest);
  }

  /** TPM2_Create of a user key under the SRK; nothing is stored and nothing stays loaded. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1, time = 3)
  @Measurement(iterations = 3, time = 5)
  public TpmSession.CreatedKey createSigningKey(KeyState s) throws KeytrustException {
    return s.tpm.session().createSigningKey(s.algorithm, s.createAuthValue);
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
}
