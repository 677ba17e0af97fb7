package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;

/** Asks the user for a one-time code (TOTP). The CLI implements it with a masked terminal prompt. */
@FunctionalInterface
public interface MfaCodePrompt {

  /**
   * Shows {@code instructions} and reads a code.
   *
   * @return the characters typed, owned by the caller (who clears them), or null when input ended
   * @throws AgentException when there is no way to ask (no terminal)
   */
  char[] askCode(String user, String instructions) throws AgentException;
}
