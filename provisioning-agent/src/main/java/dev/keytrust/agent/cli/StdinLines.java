package dev.keytrust.agent.cli;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.pin.PinLines;
import dev.keytrust.agent.pin.PinQuestion;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.agent.pin.StdinPinSource;
import java.io.Reader;
import java.util.Arrays;

/**
 * Standard input of the flow commands as one reader, with a fixed layout so a script need not
 * know which steps will ask: with {@code --mfa-code-stdin} the <b>first line is always the MFA
 * code</b>, then come the PIN lines of {@code --pin-stdin}. When no MFA is needed (a fresh one is
 * reused, or the step does not run) the code line is read and dropped before the first PIN, so a
 * code can never be taken for a PIN.
 */
final class StdinLines {
  private final Reader reader;
  private final boolean codeFirst;
  private boolean codeRead;

  StdinLines(CliEnvironment env, boolean codeFirst) {
    this.reader = PinLines.strictUtf8(env.stdin());
    this.codeFirst = codeFirst;
  }

  /** The MFA code line; null at the end of input. */
  synchronized char[] code() throws AgentException {
    if (codeRead) {
      return null; // one code line only: a second attempt has nothing to read
    }
    codeRead = true;
    return MfaOptions.readCode(reader);
  }

  /** The PIN lines, after the code line. */
  PinSource pins() {
    StdinPinSource lines = new StdinPinSource(reader);
    return new PinSource() {
      @Override
      public char[] read(PinQuestion question) throws AgentException {
        skipCode();
        return lines.read(question);
      }

      @Override
      public void tell(String message) {
        lines.tell(message);
      }

      @Override
      public boolean interactive() {
        return lines.interactive();
      }
    };
  }

  private synchronized void skipCode() throws AgentException {
    if (codeFirst && !codeRead) {
      char[] unused = code();
      if (unused != null) {
        Arrays.fill(unused, '\0');
      }
    }
  }
}
