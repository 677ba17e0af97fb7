package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;

/**
 * Where PINs come from: the callback {@link PinEntry} and {@link PinCreation} drive. Built in:
 * {@link ConsolePinSource} (masked terminal prompts) and {@link StdinPinSource} (one line per PIN,
 * for {@code --pin-stdin}). Embedders (a GUI, a credential provider) implement it themselves.
 */
public interface PinSource {

  /**
   * Asks one question. The returned array belongs to the caller, who clears it; the source keeps no
   * copy.
   *
   * @return the characters entered (possibly none), or null when input has ended
   * @throws AgentException when the source cannot ask at all (e.g. stdin unreadable)
   */
  char[] read(PinQuestion question) throws AgentException;

  /**
   * Shows the user a message between questions: the unmet rules, a mismatch. Messages never hold a
   * PIN. A source with no one to show them to may drop them.
   */
  void tell(String message);

  /**
   * True when a person answers and can be asked again (a terminal, a dialog); false for a one-shot
   * source such as stdin, where {@link PinCreation} takes the one PIN as its own confirmation and
   * fails at the first unmet rule instead of asking again.
   */
  boolean interactive();
}
