package dev.keytrust.bench;

import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.credential.UnknownKeyMaterial;
import dev.keytrust.error.KeytrustException;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.UUID;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The KeyCredentialLink codec (tpm-core, {@code dev.keytrust.credential}) for a Windows Hello for
 * Business user key ({@link KeyCredentialOptions#userKey}) of {@code alg}:
 *
 * <ul>
 *   <li>{@link #build}: {@link KeyCredential#build}, which computes the key id and the KeyHash (two
 *       SHA-256 over parts of the blob) and encodes the entries;
 *   <li>{@link #serialize}: {@link KeyCredential#toByteArray} of a built value;
 *   <li>{@link #parse}: {@link KeyCredential#parse} of the blob (it reads the entries and their
 *       typed fields; the key material is decoded and both hashes are computed when first asked,
 *       which {@link #parseAndValidate} does);
 *   <li>{@link #parseAndValidate}: parse, then the checks a reader makes: KeyHash valid, KeyID =
 *       SHA-256 of the key material, the key material decoded (P-256: on the curve), the ROCA
 *       fingerprint test for RSA, and the re-encoding identical to the input; {@link
 *       #parseAndValidateNoRoca} the same without the ROCA test;
 *   <li>{@link #dnBinaryFormat} and {@link #dnBinaryParse}: the {@code B:<hex count>:<hex>:<DN>}
 *       string of msDS-KeyCredentialLink;
 *   <li>{@link #sha256Twice}: the bound: SHA-256 of the whole blob, twice, about what any codec
 *       that checks the two hashes has to spend.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.SLF4J_NOP, ForkOptions.SLF4J_QUIET})
@State(Scope.Benchmark)
public class KeyCredentialBenchmark {
  static final String OWNER_DN = "CN=Alice Example,OU=Users,DC=contoso,DC=com";

  @Param({"rsa2048", "p256"})
  public String alg;

  private PublicKey key;
  private KeyCredentialOptions options;
  private KeyCredential built;
  private byte[] blob;
  private DnBinary dnBinary;
  private String dnBinaryText;

  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException, KeytrustException {
    SecureRandom random = new SecureRandom();
    KeyPairGenerator g;
    if (alg.equals("rsa2048")) {
      g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, random);
    } else if (alg.equals("p256")) {
      g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), random);
    } else {
      throw new IllegalArgumentException("alg is rsa2048 or p256, not " + alg);
    }
    key = g.generateKeyPair().getPublic();
    options = KeyCredentialOptions.userKey(UUID.fromString("4d6e1b2a-3c5f-4e7a-9b8c-1d2e3f405162"),
        Instant.parse("2026-12-01T08:00:00Z"));
    built = KeyCredential.build(key, options);
    blob = built.toByteArray();
    dnBinary = built.toDnBinary(OWNER_DN);
    dnBinaryText = dnBinary.format();
    if (!parseAndValidate()) {
      throw new IllegalStateException("the built key credential does not validate");
    }
  }

  @Benchmark
  public KeyCredential build() throws KeytrustException {
    return KeyCredential.build(key, options);
  }

  @Benchmark
  public byte[] serialize() {
    return built.toByteArray();
  }

  @Benchmark
  public KeyCredential parse() throws KeytrustException {
    return KeyCredential.parse(blob);
  }

  @Benchmark
  public boolean parseAndValidate() throws KeytrustException {
    KeyCredential k = KeyCredential.parse(blob);
    return k.keyHashValid().orElse(false)
        && k.keyIdMatchesKeyMaterial().orElse(false)
        && k.keyMaterial().filter(m -> !(m instanceof UnknownKeyMaterial)).isPresent()
        && !k.weakKey().orElse(false)
        && k.roundTripIdentical();
  }

  /**
   * {@link #parseAndValidate} without the ROCA test (issue 17's goal: at most 4 × {@link
   * #sha256Twice}): both hashes checked, the key material decoded (for P-256 the on-curve check),
   * the re-encoding compared.
   */
  @Benchmark
  public boolean parseAndValidateNoRoca() throws KeytrustException {
    KeyCredential k = KeyCredential.parse(blob);
    return k.keyHashValid().orElse(false)
        && k.keyIdMatchesKeyMaterial().orElse(false)
        && k.keyMaterial().filter(m -> !(m instanceof UnknownKeyMaterial)).isPresent()
        && k.roundTripIdentical();
  }

  @Benchmark
  public String dnBinaryFormat() {
    return dnBinary.format();
  }

  @Benchmark
  public DnBinary dnBinaryParse() throws KeytrustException {
    return DnBinary.parse(dnBinaryText);
  }

  /** The bound: SHA-256 of the blob, twice (a fresh MessageDigest each time, as the codec gets one). */
  @Benchmark
  public byte[] sha256Twice() throws GeneralSecurityException {
    byte[] first = MessageDigest.getInstance("SHA-256").digest(blob);
    byte[] second = MessageDigest.getInstance("SHA-256").digest(blob);
    first[0] ^= second[0];
    return first;
  }
}
