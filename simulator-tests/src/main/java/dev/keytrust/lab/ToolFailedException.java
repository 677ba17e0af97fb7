package dev.keytrust.lab;

/** An external tool (tpm2-tools, openssl) exited with a non-zero code. */
public final class ToolFailedException extends LabException {
  private static final long serialVersionUID = 1L;
  private final transient ProcessResult result;

  ToolFailedException(ProcessResult result, String hint) {
    super(
        "'" + result.commandLine() + "' exited with code " + result.exitCode() + ". stderr: "
            + ProcessRunner.tail(result.stderr(), 40)
            + (hint.isEmpty() ? "" : " " + hint));
    this.result = result;
  }

  /** The failed run, with its exit code and full output. */
  public ProcessResult result() {
    return result;
  }
}
