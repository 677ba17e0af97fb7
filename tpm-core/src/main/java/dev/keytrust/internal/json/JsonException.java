package dev.keytrust.internal.json;

/**
 * The input is not JSON that {@link StrictJson} accepts. The message names the problem and its byte
 * offset only; it never quotes the input.
 */
public final class JsonException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String problem;
  private final int offset;

  JsonException(String problem, int offset) {
    super(problem + " (at byte " + offset + ")", null, false, false);
    this.problem = problem;
    this.offset = offset;
  }

  /** What is wrong, without the offset. */
  public String problem() {
    return problem;
  }

  /** The offset in the UTF-8 input, in bytes, where the problem was found. */
  public int offset() {
    return offset;
  }
}
