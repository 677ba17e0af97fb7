package dev.boundary.offenders;

/**
 * Classes that break the boundaries on purpose, so {@code dev.keytrust.architecture.ArchitectureTest} can show its rules
 * report them. Never called.
 */
public final class BoundaryOffenders {
  private BoundaryOffenders() {}

  /** An outsider hashing with keytrust's internal helper. */
  public static final class UsesAnInternalPackage {
    byte[] hash(byte[] data) {
      return dev.keytrust.internal.Sha256.of(data);
    }
  }

  /** An outsider reaching into the CLI's exit codes. */
  public static final class UsesTheCli {
    Class<?> cli() {
      return dev.keytrust.agent.cli.KeytrustCli.class;
    }
  }
}
