package dev.keytrust.key;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;

/**
 * Argon2id cost parameters (RFC 9106).
 *
 * @param memoryKiB memory in KiB
 * @param iterations passes over memory (t)
 * @param parallelism lanes (p)
 */
public record Argon2Parameters(int memoryKiB, int iterations, int parallelism) {

  /**
   * The default: RFC 9106 section 4, second recommended option (t=3, p=4, m=64 MiB). Costs about
   * 0.35 s per PIN check on a 2-core machine (Bouncy Castle runs the lanes on one thread; see
   * docs/benchmarks.md).
   */
  public static final Argon2Parameters DEFAULT = new Argon2Parameters(64 * 1024, 3, 4);

  public Argon2Parameters {
    if (parallelism < 1 || parallelism > 16) {
      throw new IllegalArgumentException("Argon2 parallelism must be 1..16, was " + parallelism);
    }
    if (iterations < 1 || iterations > 64) {
      throw new IllegalArgumentException("Argon2 iterations must be 1..64, was " + iterations);
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > 4 * 1024 * 1024) {
      throw new IllegalArgumentException("Argon2 memory must be 8*p KiB..4 GiB, was " + memoryKiB + " KiB");
    }
  }

  @Override
  public String toString() {
    return "Argon2id(m=" + memoryKiB + " KiB, t=" + iterations + ", p=" + parallelism + ")";
  }

  /**
   * Argon2id (RFC 9106, version 0x13) with these costs, to a 32-byte key. Bouncy Castle is used as
   * a library, never registered as a JCA provider. The caller clears {@code password} and the result.
   */
  public byte[] deriveKey(byte[] password, byte[] salt) {
    org.bouncycastle.crypto.params.Argon2Parameters params =
        new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
                org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id)
            .withVersion(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(salt)
            .withMemoryAsKB(memoryKiB)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .build();
    try {
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(params);
      byte[] out = new byte[32];
      generator.generateBytes(password, out);
      return out;
    } finally {
      params.clear();
    }
  }
}
