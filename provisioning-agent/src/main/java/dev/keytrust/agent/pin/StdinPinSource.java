package dev.keytrust.agent.pin;

import dev.keytrust.agent.AgentException;
import java.io.InputStream;
import java.io.Reader;

/**
 * PINs as lines of standard input, for {@code --pin-stdin}: each question reads the next line
 * (UTF-8). Not {@link #interactive()}: {@link PinCreation} uses the one new PIN as its own
 * confirmation and reports unmet rules as an error instead of asking again. Messages are dropped
 * (the error carries them).
 */
public final class StdinPinSource implements PinSource {
  private final Reader reader;

  /** Reads UTF-8 lines from {@code in}. */
  public StdinPinSource(InputStream in) {
    this(PinLines.strictUtf8(in));
  }

  /** Reads lines from {@code reader}. */
  public StdinPinSource(Reader reader) {
    this.reader = reader;
  }

  /**
   * The next line.
   *
   * @throws AgentException PIN_INVALID for an empty line or no input, with a message naming
   *     {@code --pin-stdin} (see {@link PinLines#readLine})
   */
  @Override
  public char[] read(PinQuestion question) throws AgentException {
    return PinLines.readLine(reader);
  }

  @Override
  public void tell(String message) {
    // nobody reads: the error thrown at the end says the same
  }

  @Override
  public boolean interactive() {
    return false;
  }

  @Override
  public String toString() {
    return "StdinPinSource";
  }
}
