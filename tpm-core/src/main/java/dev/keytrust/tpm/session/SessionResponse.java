package dev.keytrust.tpm.session;

import java.util.Arrays;

/**
 * The verified result of a command run through an {@link AuthSession}: the response handles and
 * the parameter area, decrypted if the session encrypted it. The parameters may hold a secret
 * (TPM2_Unseal's outData): read them with {@link #parameters()} (not a copy), then {@link
 * #close()} zeroes them.
 */
final class SessionResponse implements AutoCloseable {
  private final int[] handles;
  private final byte[] parameters;

  SessionResponse(int[] handles, byte[] parameters) {
    this.handles = handles.clone();
    this.parameters = parameters;
  }

  int handle(int i) {
    return handles[i];
  }

  /** The parameter area itself, not a copy: valid until {@link #close()}. */
  byte[] parameters() {
    return parameters;
  }

  @Override
  public void close() {
    Arrays.fill(parameters, (byte) 0);
  }

  @Override
  public String toString() {
    return "SessionResponse[handles=" + handles.length + ", parameters=" + parameters.length + " B]";
  }
}
