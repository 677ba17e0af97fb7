package dev.keytrust.bench;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.PinAuth;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The small pure-Java steps of every key operation: the key id of an RSA-2048 and a P-256 public
 * key ({@link BcryptKeyBlob#keyId(java.security.PublicKey)}: BCRYPT blob + SHA-256) and the PIN to TPM auth value derivation
 * ({@link PinAuth#derive}: HMAC-SHA256). Microseconds; they show up nowhere next to Argon2id or
 * a TPM command, and this benchmark is here to keep it that way.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.SLF4J_NOP, ForkOptions.SLF4J_QUIET})
@State(Scope.Benchmark)
public class KeyIdBenchmark {
  private PublicKey rsa2048;
  private PublicKey p256;
  private Pin pin;
  private byte[] authSalt;

  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException, KeytrustException {
    SecureRandom random = new SecureRandom();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048, random);
    rsa2048 = rsa.generateKeyPair().getPublic();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"), random);
    p256 = ec.generateKeyPair().getPublic();
    pin = Pin.moveFrom(new char[] {'4', '8', '2', '9', '1', '5'});
    authSalt = new byte[PinAuth.SALT_LENGTH];
    random.nextBytes(authSalt);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pin.destroy();
  }

  @Benchmark
  public byte[] keyIdRsa2048() throws KeytrustException {
    return BcryptKeyBlob.keyId(rsa2048);
  }

  @Benchmark
  public byte[] keyIdP256() throws KeytrustException {
    return BcryptKeyBlob.keyId(p256);
  }

  @Benchmark
  public int pinAuthDerive() throws KeytrustException {
    try (SecretBuffer auth = PinAuth.derive(pin, authSalt)) {
      return auth.size();
    }
  }
}
