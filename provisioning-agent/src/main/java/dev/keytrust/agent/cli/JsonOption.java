package dev.keytrust.agent.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** {@code --json}: JSON instead of the text report on stdout. */
final class JsonOption {

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  /** Prints {@code json} as JSON, or {@code text} as it is, on {@code out}. */
  void print(PrintWriter out, Supplier<?> json, Supplier<String> text) {
    print(out, this.json, json, text);
  }

  /** The same for a command whose {@code --json} says more (status, kcl decode). */
  static void print(PrintWriter out, boolean asJson, Supplier<?> json, Supplier<String> text) {
    out.print(asJson ? Json.write(json.get()) + "\n" : text.get());
    out.flush();
  }
}
