package dev.keytrust.key;

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
   * a quarter to half a second per PIN check on a current 2-core machine.
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
}
