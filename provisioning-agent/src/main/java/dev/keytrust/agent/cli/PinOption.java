package dev.keytrust.agent.cli;

import picocli.CommandLine.Option;

/** {@code --pin-stdin}: read the PIN as one line from standard input instead of the terminal. */
final class PinOption {

  @Option(
      names = "--pin-stdin",
      description = "Read the PIN as one line from standard input instead of asking on the terminal.")
  boolean pinStdin;
}
