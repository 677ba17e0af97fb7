package dev.keytrust.agent.pin;

/** What a {@link PinSource} is asked for; {@link #prompt()} is the text a terminal shows. */
public enum PinQuestion {
  /** The PIN the user has now (to use a key, or before changing it). */
  CURRENT("PIN: "),
  /** A new PIN. */
  NEW("New PIN: "),
  /** The new PIN again. */
  CONFIRM("Confirm PIN: ");

  private final String prompt;

  PinQuestion(String prompt) {
    this.prompt = prompt;
  }

  /** The prompt a terminal shows, e.g. {@code "New PIN: "}. */
  public String prompt() {
    return prompt;
  }
}
