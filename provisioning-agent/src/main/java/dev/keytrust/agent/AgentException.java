package dev.keytrust.agent;

import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;

/**
 * The root of the errors the provisioning agent raises (policy, prerequisites, MFA, PIN rules, the
 * flow, registration endpoints). It is a {@link KeytrustException}, so callers that embed the agent
 * handle one checked type and one registry of stable codes ({@link ErrorCode}, KT-1xxx for the
 * agent). The message says what failed, why and what to do; it never holds a PIN, token or key.
 */
public class AgentException extends KeytrustException {
  private static final long serialVersionUID = 1L;

  public AgentException(ErrorCode code, String message) {
    super(code, message);
  }

  public AgentException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
