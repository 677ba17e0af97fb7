package dev.keytrust.agent.internal;

/** Looks through an exception's cause chain, for the endpoints' failure mapping. */
public final class Causes {
  private Causes() {}

  /**
   * The first throwable of {@code type} in {@code error}'s cause chain ({@code error} itself
   * included), or {@code null} when there is none. A throwable that is its own cause ends the
   * chain.
   */
  public static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
