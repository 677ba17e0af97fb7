package dev.keytrust.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a file a user names (a device context, a policy file, a CA file, a value given as
 * {@code @FILE}): only a regular file (after links), and never more than a bound, so a device such
 * as {@code /dev/zero} cannot fill the heap and a FIFO cannot block the read forever.
 */
public final class InputFiles {
  private InputFiles() {}

  /** Why a file was not read. */
  public enum Problem {
    /** There is no such file. */
    MISSING,
    /** It is a directory, a device, a FIFO or a socket. */
    NOT_A_FILE,
    /** It holds more than the bound. */
    TOO_LARGE
  }

  /** A file that was not read, and why; the message names the file and the problem. */
  public static final class NotReadable extends IOException {
    private static final long serialVersionUID = 1L;
    private final Problem problem;

    NotReadable(Problem problem, String message) {
      super(message);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  /**
   * The bytes of {@code file}.
   *
   * @throws NotReadable when it is missing, not a regular file, or larger than {@code maxBytes}
   * @throws IOException when reading fails
   */
  public static byte[] read(Path file, int maxBytes) throws IOException {
    if (!Files.exists(file)) {
      throw new NotReadable(Problem.MISSING, file + " does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new NotReadable(Problem.NOT_A_FILE, file + " is not a regular file (a folder, a device, a FIFO or a"
          + " socket)");
    }
    byte[] data;
    try (InputStream in = Files.newInputStream(file)) {
      data = in.readNBytes(maxBytes + 1);
    } catch (NoSuchFileException e) {
      throw new NotReadable(Problem.MISSING, file + " does not exist");
    }
    if (data.length > maxBytes) {
      throw new NotReadable(Problem.TOO_LARGE, file + " is larger than " + maxBytes + " bytes");
    }
    return data;
  }
}
