package dev.keytrust.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs tpm2-tools (5.x) commands against one TCP {@link Swtpm}, with {@code TPM2TOOLS_TCTI} set
 * to its {@code swtpm:} TCTI, a timeout, and captured output.
 *
 * <p><b>Close your Java TPM connection first.</b> swtpm serves one client at a time: while a Java
 * {@code TpmTransport} to the same swtpm is open, every tool blocks until the timeout kills it.
 * Reconnect from Java after the tool has finished.
 *
 * <p><b>Transient slots.</b> tpm2-tools has no resource manager here and swtpm has 3 transient
 * slots. {@code tpm2_load}, {@code tpm2_sign -c file.ctx} and {@code tpm2_readpublic -c
 * file.ctx} leave the object loaded when they exit, so call {@link #flushTransient()} after
 * them (before the fourth load at the latest, or expect {@code TPM_RC_OBJECT_MEMORY}, 0x902).
 *
 * <p>The instance re-reads the TCTI before each command, so it keeps working after {@link
 * Swtpm#restart()}. Relative paths in arguments resolve against the working directory given at
 * construction. Auth values never appear on a command line (visible in {@code ps} and in error
 * messages): {@link #sign} passes them on standard input with {@code -p file:-}.
 */
public final class Tpm2Tools {
  /** The timeout of one command when none is given. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final String BUSY_HINT =
      "swtpm serves one client at a time: close the Java TPM connection to this swtpm before running tpm2-tools.";
  private static final byte[] NO_INPUT = new byte[0];

  private final Swtpm swtpm;
  private final Path workDir;
  private final Duration timeout;

  /** Tools against {@code swtpm}, run in {@code workDir}, with {@link #DEFAULT_TIMEOUT}. */
  public Tpm2Tools(Swtpm swtpm, Path workDir) {
    this(swtpm, workDir, DEFAULT_TIMEOUT);
  }

  /**
   * @throws UnsupportedOperationException when {@code swtpm} is not in TCP mode (see {@link
   *     Swtpm#tpm2toolsTcti()})
   */
  public Tpm2Tools(Swtpm swtpm, Path workDir, Duration timeout) {
    this.swtpm = Objects.requireNonNull(swtpm, "swtpm");
    this.workDir = workDir.toAbsolutePath();
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    swtpm.tpm2toolsTcti(); // fail now, not at the first command, for a Unix-mode swtpm
  }

  /** True when tpm2-tools is on {@code PATH}. */
  public static boolean available() {
    return ProcessRunner.onPath("tpm2_getrandom");
  }

  /** The signature schemes {@link #sign} supports, each with SHA-256. */
  public enum SignScheme {
    /** RSASSA-PKCS1-v1_5; {@code -f plain} writes the bare signature, as long as the modulus. */
    RSASSA("rsassa"),
    /** ECDSA; {@code -f plain} writes a DER {@code SEQUENCE {r, s}}, as JCA and openssl expect. */
    ECDSA("ecdsa");

    private final String toolName;

    SignScheme(String toolName) {
      this.toolName = toolName;
    }

    /** The name tpm2-tools uses for {@code -s}. */
    public String toolName() {
      return toolName;
    }
  }

  /**
   * The output of {@code tpm2_readpublic}.
   *
   * @param name the object's Name as lower-case hex (nameAlg id, then digest)
   * @param text the tool's whole YAML output
   */
  public record PublicInfo(String name, String text) {}

  /**
   * Runs {@code tool} with {@code args}.
   *
   * @throws ToolFailedException on a non-zero exit; it has the command, exit code and stderr
   * @throws LabException on a timeout (usually a Java connection still open to this swtpm)
   */
  public ProcessResult run(String tool, String... args) {
    return check(tryRun(tool, args));
  }

  /** Runs {@code tool} and returns the result whatever its exit code (still fails on a timeout). */
  public ProcessResult tryRun(String tool, String... args) {
    return execute(NO_INPUT, tool, args);
  }

  /** {@code tpm2_getrandom N --hex}: N random bytes from the TPM. */
  public byte[] getRandom(int bytes) {
    String hex = run("tpm2_getrandom", Integer.toString(bytes), "--hex").stdout().strip();
    return HexFormat.of().parseHex(hex);
  }

  /**
   * {@code tpm2_readpublic -c HANDLE}.
   *
   * @param handle a handle ({@code 0x81000001}) or a context file path
   */
  public PublicInfo readPublic(String handle) {
    String out = run("tpm2_readpublic", "-c", handle).stdout();
    return new PublicInfo(yamlValue(out, "name"), out);
  }

  /** {@code tpm2_readpublic -c HANDLE -f pem -o PEM}: the public key as a PEM file for openssl. */
  public void readPublicPem(String handle, Path pemFile) {
    run("tpm2_readpublic", "-c", handle, "-f", "pem", "-o", pemFile.toString(), "-Q");
  }

  /**
   * {@code tpm2_load -C PARENT -u PUB -r PRIV -c OUT}. The loaded object stays in a transient
   * slot: {@link #flushTransient()} when done.
   *
   * @param pubFile a TPM2B_PUBLIC (2-byte big-endian size, then TPMT_PUBLIC)
   * @param privFile a TPM2B_PRIVATE
   * @return the loaded object's Name as lower-case hex
   */
  public String load(String parentHandle, Path pubFile, Path privFile, Path outContextFile) {
    String out =
        run(
                "tpm2_load",
                "-C", parentHandle,
                "-u", pubFile.toString(),
                "-r", privFile.toString(),
                "-c", outContextFile.toString())
            .stdout();
    return yamlValue(out, "name");
  }

  /**
   * {@code tpm2_sign -c CTX -p file:- -g sha256 -s SCHEME -f plain -o SIG MESSAGE}, with the
   * auth value fed on standard input as {@code hex:...} (so it is on no command line). The tool
   * hashes the message with SHA-256 itself. The object stays loaded: {@link #flushTransient()}.
   *
   * @param auth the key's auth value; empty for none. Not modified; the caller clears it.
   * @throws ToolFailedException on a wrong auth value (stderr names the TPM error), a lockout, or
   *     any other failure
   */
  public void sign(Path contextFile, byte[] auth, Path messageFile, Path outSigFile, SignScheme scheme) {
    List<String> args = new ArrayList<>(List.of("-c", contextFile.toString()));
    if (auth.length > 0) {
      args.addAll(List.of("-p", "file:-"));
    }
    args.addAll(
        List.of("-g", "sha256", "-s", scheme.toolName(), "-f", "plain", "-o", outSigFile.toString(),
            messageFile.toString()));
    runWithAuth(auth, "tpm2_sign", args.toArray(String[]::new));
  }

  /**
   * Runs {@code tool} with {@code hex:<auth>} on standard input, so the auth value is on no command
   * line. Put {@code file:-} where the tool expects that auth, e.g. {@code tpm2_create -C
   * 0x81000001 -p file:- -u k.pub -r k.priv}. Only one option per command can read stdin.
   *
   * @param auth the auth value; empty sends nothing. Not modified; the caller clears it.
   * @throws ToolFailedException on a non-zero exit
   */
  public ProcessResult runWithAuth(byte[] auth, String tool, String... args) {
    byte[] stdin = auth.length > 0 ? hexAuthSpec(auth) : NO_INPUT;
    try {
      return check(execute(stdin, tool, args));
    } finally {
      Arrays.fill(stdin, (byte) 0);
    }
  }

  /** {@code tpm2_flushcontext -t}: flushes every transient object. */
  public void flushTransient() {
    run("tpm2_flushcontext", "-t");
  }

  /** The directory tools run in. */
  public Path workDir() {
    return workDir;
  }

  private ProcessResult execute(byte[] stdin, String tool, String... args) {
    List<String> command = new ArrayList<>(args.length + 1);
    command.add(tool);
    command.addAll(List.of(args));
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new LabException("Cannot create the tpm2-tools work directory " + workDir + ": " + e.getMessage(), e);
    }
    return ProcessRunner.run(
        command, Map.of("TPM2TOOLS_TCTI", swtpm.tpm2toolsTcti()), workDir, stdin, timeout, BUSY_HINT);
  }

  private ProcessResult check(ProcessResult result) {
    if (!result.succeeded()) {
      throw new ToolFailedException(result, "(TPM2TOOLS_TCTI=" + swtpm.tpm2toolsTcti() + ")");
    }
    return result;
  }

  /** "hex:" followed by the auth value in hex, as ASCII bytes; the caller wipes the array. */
  private static byte[] hexAuthSpec(byte[] auth) {
    byte[] spec = new byte[4 + 2 * auth.length];
    System.arraycopy("hex:".getBytes(StandardCharsets.US_ASCII), 0, spec, 0, 4);
    for (int i = 0; i < auth.length; i++) {
      spec[4 + 2 * i] = (byte) Character.forDigit((auth[i] >> 4) & 0xF, 16);
      spec[5 + 2 * i] = (byte) Character.forDigit(auth[i] & 0xF, 16);
    }
    return spec;
  }

  /** The value of the first top-level {@code key: value} line of tpm2-tools YAML output. */
  private static String yamlValue(String yaml, String key) {
    String prefix = key + ":";
    for (String line : yaml.split("\\R")) {
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).strip();
      }
    }
    throw new LabException("tpm2-tools output has no '" + key + "' line: " + ProcessRunner.tail(yaml, 10));
  }
}
