package dev.keytrust.agent.cli;

import java.io.Console;

/** The terminal the CLI asks PINs from; a seam so tests can answer prompts. */
interface PinConsole {

  /** Shows {@code prompt} and reads a line with echo off; null when input has ended. */
  char[] readPassword(String prompt);

  /** The process's terminal, or null when stdin or stdout is not one. */
  static PinConsole system() {
    Console console = System.console();
    return console == null ? null : prompt -> console.readPassword("%s", prompt);
  }
}
