package dev.keytrust.agent.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/** Runs the whole CLI in-process with its own stdin, environment and terminal; captures the output. */
final class CliRunner {

  record Result(int exitCode, String out, String err) {}

  private Map<String, String> env = Map.of();
  private String os = "Linux";
  private PinConsole console;
  private byte[] stdin = new byte[0];

  CliRunner env(Map<String, String> env) {
    this.env = env;
    return this;
  }

  CliRunner os(String os) {
    this.os = os;
    return this;
  }

  CliRunner console(PinConsole console) {
    this.console = console;
    return this;
  }

  CliRunner stdin(String stdin) {
    this.stdin = stdin.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  /** Standard input as bytes, for input that is not (valid) UTF-8 text. */
  CliRunner stdin(byte[] stdin) {
    this.stdin = stdin.clone();
    return this;
  }

  CliEnvironment stdinEnvironment() {
    return new CliEnvironment(new ByteArrayInputStream(stdin), env, os, console);
  }

  Result run(String... args) {
    CommandLine cmd = KeytrustCli.commandLine(stdinEnvironment());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
