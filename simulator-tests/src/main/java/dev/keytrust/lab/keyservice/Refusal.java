package dev.keytrust.lab.keyservice;

/**
 * A request the lab services refuse, answered with a KPP ErrorDetails body ({@link
 * ErrorDetails#answer}). The message is the body's {@code message}; it never quotes a token.
 */
public final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;
  private final String target;

  /**
   * @param status the HTTP status
   * @param code the ErrorDetails {@code code}, e.g. {@code invalid_request}
   * @param message what is wrong, for the client
   * @param target the ErrorDetails {@code target} (the part of the request at fault), or null
   */
  public Refusal(int status, String code, String message, String target) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.target = target;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The part of the request at fault, or null. */
  public String target() {
    return target;
  }
}
