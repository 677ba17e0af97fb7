package dev.keytrust.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
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
 * The software baselines of the TPM's work: key generation, and signing and verifying a SHA-256
 * digest, with the JDK's providers ({@code provider=jca}: SunRsaSign/SunJCE and SunEC) and Bouncy
 * Castle ({@code provider=bc}, the bcprov-jdk18on keytrust already ships, used as a provider object,
 * not registered).
 *
 * <p>The digest is signed as the TPM signs it: RSA-2048 PKCS#1 v1.5 over DigestInfo(SHA-256) ({@code
 * NONEwithRSA} over the DER prefix and the digest, the same signature as SHA256withRSA), and ECDSA
 * P-256 over the 32 digest bytes ({@code NONEwithECDSA}). RSA key generation searches for primes,
 * so its time varies a lot from call to call: it is sampled ({@link Mode#SampleTime}).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.SLF4J_NOP, ForkOptions.SLF4J_QUIET})
public class CryptoBenchmark {
  /** DER of DigestInfo's AlgorithmIdentifier for SHA-256 and the OCTET STRING header (RFC 8017 §9.2). */
  private static final byte[] SHA256_DIGEST_INFO_PREFIX = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    0x04, 0x20
  };

  /** A provider, an algorithm, a key pair, a digest to sign and its signature. */
  @State(Scope.Benchmark)
  public static class CryptoState {
    @Param({"rsa2048", "p256"})
    public String alg;

    @Param({"jca", "bc"})
    public String provider;

    private KeyPairGenerator generator;
    private KeyPair pair;
    private Signature signer;
    private Signature verifier;
    private byte[] toSign; // the digest, with the DigestInfo prefix for RSA
    private byte[] signature;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
      Provider bc = provider.equals("bc") ? new BouncyCastleProvider() : null;
      if (!provider.equals("bc") && !provider.equals("jca")) {
        throw new IllegalArgumentException("provider is jca or bc, not " + provider);
      }
      SecureRandom random = new SecureRandom();
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest("sign-in challenge from the benchmark".getBytes(StandardCharsets.UTF_8));
      String sigAlg;
      switch (alg) {
        case "rsa2048" -> {
          generator = bc == null ? KeyPairGenerator.getInstance("RSA") : KeyPairGenerator.getInstance("RSA", bc);
          generator.initialize(2048, random);
          sigAlg = "NONEwithRSA";
          toSign = new byte[SHA256_DIGEST_INFO_PREFIX.length + digest.length];
          System.arraycopy(SHA256_DIGEST_INFO_PREFIX, 0, toSign, 0, SHA256_DIGEST_INFO_PREFIX.length);
          System.arraycopy(digest, 0, toSign, SHA256_DIGEST_INFO_PREFIX.length, digest.length);
        }
        case "p256" -> {
          generator = bc == null ? KeyPairGenerator.getInstance("EC") : KeyPairGenerator.getInstance("EC", bc);
          generator.initialize(new ECGenParameterSpec("secp256r1"), random);
          sigAlg = "NONEwithECDSA";
          toSign = digest;
        }
        default -> throw new IllegalArgumentException("alg is rsa2048 or p256, not " + alg);
      }
      pair = generator.generateKeyPair();
      signer = bc == null ? Signature.getInstance(sigAlg) : Signature.getInstance(sigAlg, bc);
      verifier = bc == null ? Signature.getInstance(sigAlg) : Signature.getInstance(sigAlg, bc);
      signer.initSign(pair.getPrivate(), random);
      verifier.initVerify(pair.getPublic());
      signer.update(toSign);
      signature = signer.sign();
      // the RSA signature is the one SHA256withRSA makes over the message: checked once here
      if (alg.equals("rsa2048")) {
        Signature check = Signature.getInstance("SHA256withRSA");
        check.initVerify(pair.getPublic());
        check.update("sign-in challenge from the benchmark".getBytes(StandardCharsets.UTF_8));
        if (!check.verify(signature)) {
          throw new IllegalStateException("NONEwithRSA over DigestInfo did not give a SHA256withRSA signature");
        }
      }
      verifier.update(toSign);
      if (!verifier.verify(signature)) {
        throw new IllegalStateException("the signature does not verify");
      }
    }
  }

  /** One key pair (RSA-2048: two primes; P-256: one scalar multiplication). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public KeyPair generate(CryptoState s) {
    return s.generator.generateKeyPair();
  }

  /** Signs the SHA-256 digest (see the class comment). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public byte[] signDigest(CryptoState s) throws GeneralSecurityException {
    s.signer.update(s.toSign);
    return s.signer.sign();
  }

  /** Verifies the signature over the digest. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public boolean verifyDigest(CryptoState s) throws GeneralSecurityException {
    s.verifier.update(s.toSign);
    return s.verifier.verify(s.signature);
  }
}
