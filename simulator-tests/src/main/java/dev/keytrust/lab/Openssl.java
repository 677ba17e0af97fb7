package dev.keytrust.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the {@code openssl} command line (OpenSSL 3) for independent signature checks. */
public final class Openssl {
  /** The timeout of one openssl run. */
  public static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static final byte[] NO_INPUT = new byte[0];

  private Openssl() {}

  /** True when {@code openssl} is on {@code PATH}. */
  public static boolean available() {
    return ProcessRunner.onPath("openssl");
  }

  /**
   * {@code openssl dgst -sha256 -verify PUB -signature SIG MESSAGE}: checks an RSASSA-PKCS1-v1_5
   * (bare signature bytes) or ECDSA (DER) signature over the SHA-256 of the message.
   *
   * @param publicKeyPemFile a SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----})
   * @return true when openssl prints "Verified OK"; false when it reports "Verification failure"
   *     or cannot parse the signature for this key ("Error verifying data": a signature of the
   *     wrong length or a malformed DER), which is a failed verification too
   * @throws LabException when a file is missing or openssl fails for any other reason (an
   *     unreadable key, for instance): the check did not happen
   */
  public static boolean verify(Path publicKeyPemFile, Path messageFile, Path sigFile) {
    for (Path file : List.of(publicKeyPemFile, messageFile, sigFile)) {
      if (!Files.isReadable(file)) {
        throw new LabException("Cannot verify a signature: " + file + " does not exist or is not readable.");
      }
    }
    ProcessResult r =
        run(
            false,
            "dgst", "-sha256",
            "-verify", publicKeyPemFile.toString(),
            "-signature", sigFile.toString(),
            messageFile.toString());
    if (r.succeeded() && r.stdout().contains("Verified OK")) {
      return true;
    }
    if (r.exitCode() == 1
        && (r.stdout().contains("Verification failure") || r.stderr().contains("Error verifying data"))) {
      return false;
    }
    throw new ToolFailedException(r, "openssl could not check the signature (see stderr).");
  }

  /**
   * Runs {@code openssl ARGS...} in the current directory.
   *
   * @throws ToolFailedException on a non-zero exit
   */
  public static ProcessResult run(String... args) {
    return run(true, args);
  }

  private static ProcessResult run(boolean check, String... args) {
    List<String> command = new ArrayList<>(args.length + 1);
    command.add("openssl");
    command.addAll(List.of(args));
    ProcessResult r =
        ProcessRunner.run(command, Map.of(), Path.of("").toAbsolutePath(), NO_INPUT, TIMEOUT, "");
    if (check && !r.succeeded()) {
      throw new ToolFailedException(r, "");
    }
    return r;
  }
}
