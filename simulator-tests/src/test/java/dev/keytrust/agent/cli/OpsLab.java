package dev.keytrust.agent.cli;

import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.mfa.Totp;
import dev.keytrust.agent.mfa.TotpAlgorithm;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.lab.LabCertificates;
import dev.keytrust.lab.LabKeyService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The fixture of the tests of the operations users ask for: the lab key service over HTTPS with
 * the lab CA, a token for the device context's user on its device, a policy folder, a device
 * context file, TOTP MFA with a known secret, a key store and a state folder, and the whole CLI
 * run in-process with its output and keytrust's log captured (to scan them for secrets).
 */
final class OpsLab implements AutoCloseable {
  static final String USER = FlowTestKit.USER;
  static final String PIN = FlowTestKit.PIN;
  static final String PIN2 = FlowTestKit.PIN2;
  /** RFC 6238's SHA-1 test secret "12345678901234567890". */
  static final String TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

  record Run(List<String> args, int exit, String out, String err, String log) {
    /** The one-line error, or "". */
    String errorLine() {
      return err.lines().filter(l -> l.startsWith("keytrust: ")).reduce((a, b) -> b).orElse("");
    }

    @Override
    public String toString() {
      return "$ keytrust " + String.join(" ", args) + " -> exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  final Path dir;
  final Path store;
  final Path state;
  final Path policy;
  final Path device;
  final Path totp;
  final Path tokenFile;
  final String token;
  final LabCertificates certs;
  final LabKeyService service;
  String tpm = "software";

  OpsLab(Path dir) throws Exception {
    this.dir = dir;
    this.store = dir.resolve("keys");
    this.state = dir.resolve("state");
    this.policy = Files.createDirectories(dir.resolve("policy"));
    FlowTestKit.policy(policy, "RequireSecurityDevice = false");
    this.device = Files.writeString(dir.resolve("device.conf"), DeviceContextFile.format(FlowTestKit.device()));
    this.totp = secret("alice.totp", TOTP_SECRET);
    this.certs = LabCertificates.create(dir.resolve("pki"));
    this.service = LabKeyService.start(certs);
    this.token = service.issueToken(USER, UUID.fromString(FlowTestKit.DEVICE_ID));
    this.tokenFile = secret("alice.token", token);
  }

  private Path secret(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  /** Uses this TPM from now on ({@code software} by default). */
  OpsLab tpm(String uri) {
    this.tpm = uri;
    return this;
  }

  /** The current TOTP code of the test secret, {@code steps} periods ahead. */
  static String code(int steps) {
    Totp t = new Totp("12345678901234567890".getBytes(StandardCharsets.US_ASCII), TotpAlgorithm.SHA1, 6,
        Duration.ofSeconds(30));
    return new String(t.code(t.timeStep(Instant.now()) + steps));
  }

  List<String> endpointArgs() {
    return List.of("--endpoint", service.baseUri().toString(), "--endpoint-setting", "token-file=" + tokenFile,
        "--endpoint-setting", "ca-file=" + certs.caFile());
  }

  /** {@code keytrust provision} with a TOTP code and {@code pin} on stdin (the code is dropped when no MFA is asked). */
  Run provision(String code, String pin, String... extra) {
    List<String> args = new ArrayList<>(List.of("provision", "--user", USER, "--alg", "rsa2048", "--policy-dir",
        policy.toString(), "--device", device.toString(), "--mfa", "totp:secret-file=" + totp, "--mfa-code-stdin",
        "--pin-stdin", "--tpm", tpm, "--store", store.toString(), "--state-dir", state.toString()));
    args.addAll(endpointArgs());
    args.addAll(List.of(extra));
    return keytrust(code + "\n" + pin + "\n", args);
  }

  Run status(String... extra) {
    List<String> args = new ArrayList<>(List.of("status", "--user", USER, "--tpm", tpm, "--store", store.toString(),
        "--policy-dir", policy.toString(), "--device", device.toString()));
    args.addAll(List.of(extra));
    return keytrust("", args);
  }

  Run reset(String... extra) {
    List<String> args = new ArrayList<>(List.of("reset", "--user", USER, "--store", store.toString(), "--state-dir",
        state.toString()));
    args.addAll(endpointArgs());
    args.addAll(List.of(extra));
    return keytrust("", args);
  }

  /** Forgets the last MFA, so the next provisioning asks for one again. */
  void forgetMfa() throws IOException {
    try (Stream<Path> files = Files.list(state)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("mfa-fresh")).toList()) {
        Files.delete(f);
      }
    }
  }

  /** Runs keytrust in-process with {@code stdin}; captures stdout, stderr and keytrust's log (DEBUG). */
  Run keytrust(String stdin, List<String> args) {
    return run(stdin, args);
  }

  /** Runs keytrust in-process with {@code stdin} ({@link InProcessCli}). */
  static Run run(String stdin, List<String> args) {
    InProcessCli.Result r = InProcessCli.run(stdin, args);
    return new Run(r.args(), r.exit(), r.out(), r.err(), r.log());
  }

  Run keytrust(String stdin, String... args) {
    return keytrust(stdin, List.of(args));
  }

  @Override
  public void close() {
    service.close();
  }
}
