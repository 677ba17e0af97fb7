package dev.keytrust.agent.pin;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.Optional;

/**
 * Masked PIN prompts on a terminal ({@link java.io.Console#readPassword}, echo off). Interactive:
 * {@link PinCreation} asks for a confirmation and asks again after a mismatch or unmet rules,
 * showing them through {@link Terminal#println}.
 */
public final class ConsolePinSource implements PinSource {

  /** The two things a terminal does for PIN entry; a seam for tests and other front ends. */
  public interface Terminal {
    /** Shows {@code prompt}, reads a line with echo off; null when input has ended. */
    char[] readMasked(String prompt);

    /** Shows one line of text. */
    void println(String line);
  }

  private final Terminal terminal;

  public ConsolePinSource(Terminal terminal) {
    this.terminal = Objects.requireNonNull(terminal, "terminal");
  }

  /** The process's terminal, or empty when stdin or stdout is not one (then use {@link StdinPinSource}). */
  public static Optional<ConsolePinSource> system() {
    return systemTerminal().map(ConsolePinSource::new);
  }

  /** The process's terminal ({@link Console}) as a {@link Terminal}, or empty when stdin or stdout is not one. */
  public static Optional<Terminal> systemTerminal() {
    Console console = System.console();
    if (console == null) {
      return Optional.empty();
    }
    return Optional.of(new Terminal() {
      @Override
      public char[] readMasked(String prompt) {
        return console.readPassword("%s", prompt);
      }

      @Override
      public void println(String line) {
        PrintWriter w = console.writer();
        w.println(line);
        w.flush();
      }
    });
  }

  @Override
  public char[] read(PinQuestion question) {
    return terminal.readMasked(question.prompt());
  }

  @Override
  public void tell(String message) {
    terminal.println(message);
  }

  @Override
  public boolean interactive() {
    return true;
  }

  @Override
  public String toString() {
    return "ConsolePinSource";
  }
}
