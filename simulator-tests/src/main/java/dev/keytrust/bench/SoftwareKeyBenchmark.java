package dev.keytrust.bench;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.SoftwareKeyProvider;
import dev.keytrust.key.SoftwareLockoutPolicy;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
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
 * The software provider's sign path, as a user waits for it: {@link HelloKeys#sign} over a
 * {@link SoftwareKeyProvider} in a key store of the benchmark's own. One call reads the key file,
 * writes the attempt counter (counted as failed first), derives the key-encryption key with
 * Argon2id, decrypts the private key with AES-256-GCM, writes the counter again (reset), signs
 * with JCA and verifies the signature against the stored public key. Both counter writes are
 * atomic file replacements with fsync, so the disk under {@code java.io.tmpdir} takes part.
 *
 * <p>{@code argon2}: {@code default} ({@link Argon2Parameters#DEFAULT}), {@code light} (OWASP's
 * minimum, m=19456 KiB, t=2, p=1) and {@code floor} (m=8 KiB, t=1, p=1: what the path costs
 * without a real KDF). {@link #argon2id} measures the KDF alone with the same settings.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.SLF4J_NOP, ForkOptions.SLF4J_QUIET})
public class SoftwareKeyBenchmark {
  static final String USER = "bench";

  /** A saved software key for {@link #USER} at the given Argon2id cost and algorithm. */
  @State(Scope.Benchmark)
  public static class SignState {
    @Param({"default", "light", "floor"})
    public String argon2;

    @Param({"rsa2048", "p256"})
    public String alg;

    private Path dir;
    private HelloKeys keys;
    private Pin pin;
    private byte[] message;

    @Setup(Level.Trial)
    public void setUp() throws IOException, KeytrustException {
      dir = BenchFiles.createTempDirectory("software");
      KeyContainerStore store = new KeyContainerStore(dir.resolve("keys"));
      SoftwareKeyProvider provider = new SoftwareKeyProvider(
          store, Argon2Cost.of(argon2).parameters(), Clock.systemUTC(), SoftwareLockoutPolicy.DEFAULT);
      keys = HelloKeys.of(store, provider, "software");
      pin = Pin.moveFrom(new char[] {'4', '8', '2', '9', '1', '5'});
      message = "sign-in challenge from the benchmark".getBytes(StandardCharsets.UTF_8);
      keys.create(USER, KeyAlgorithm.fromId(alg), pin);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      try {
        if (keys != null) {
          keys.close();
        }
      } finally {
        if (pin != null) {
          pin.destroy();
        }
        BenchFiles.deleteRecursively(dir);
      }
    }
  }

  /** The inputs of one Argon2id derivation at the given cost. */
  @State(Scope.Benchmark)
  public static class KdfState {
    @Param({"default", "light"})
    public String argon2;

    private Argon2Parameters cost;
    private byte[] salt;
    private byte[] password;

    @Setup(Level.Trial)
    public void setUp() throws KeytrustException {
      cost = Argon2Cost.of(argon2).parameters();
      salt = new byte[16];
      new SecureRandom().nextBytes(salt);
      try (Pin pin = Pin.moveFrom(new char[] {'4', '8', '2', '9', '1', '5'})) {
        password = pin.withUtf8(InsecureSecretAccess.get(), byte[]::clone);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      if (password != null) {
        Arrays.fill(password, (byte) 0);
      }
    }
  }

  /** The full software sign path (see the class comment). */
  @Benchmark
  public byte[] sign(SignState s) throws KeytrustException {
    return s.keys.sign(USER, s.message, s.pin);
  }

  /** Argon2id alone, to 32 bytes, as the software provider runs it (Bouncy Castle, single thread). */
  @Benchmark
  public byte[] argon2id(KdfState s) {
    return s.cost.deriveKey(s.password, s.salt);
  }
}
