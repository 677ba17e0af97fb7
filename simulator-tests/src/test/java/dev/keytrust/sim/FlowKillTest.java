package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.RecordingEndpoint;
import dev.keytrust.agent.flow.StepId;
import dev.keytrust.agent.mfa.Totp;
import dev.keytrust.agent.mfa.TotpAlgorithm;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.TpmUri;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill test: {@code keytrust provision} runs in its own JVM against swtpm and is killed
 * with SIGKILL ({@link Process#destroyForcibly()} of that process) at every step of the flow, then
 * run again to completion. Afterwards the store holds exactly one key, the file-backed endpoint
 * exactly one registration, and the registered public key is that key's (and the key signs with the
 * PIN in the TPM).
 *
 * <p>Where it is killed: for every step of the plan, when the step has STARTED (nothing of it done)
 * and when it has ended (its work done, the journal write after it not yet), held there by the test
 * hook {@link PauseAtEvent} in the child's logback configuration; and once as soon as the progress
 * line {@code key STARTED} shows, without a hook (somewhere inside the TPM key creation).
 */
class FlowKillTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  static final String USER = FlowTestKit.USER;
  static final String PIN = FlowTestKit.PIN;
  static final byte[] TOTP_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  static final String TOTP_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  static final Pattern KEY_ID = Pattern.compile("\"keyId\"\\s*:\\s*\"([0-9A-F]{64})\"");

  @TempDir Path work;
  Path store;
  Path state;
  Path policy;
  Path device;
  Path totp;
  Path logback;
  RecordingEndpoint endpoint;

  /** Every kill point: STEP:OUTCOME of the hook, or "key:line" for the kill on the progress line. */
  static Stream<String> killPoints() {
    List<String> points = new ArrayList<>();
    for (StepId step : ProvisioningFlow.plan(FlowOperation.PROVISION)) {
      points.add(step.id() + ":STARTED");
      points.add(step.id() + ":SUCCEEDED");
    }
    points.add("key:line");
    return points.stream();
  }

  @BeforeEach
  void setUp() throws IOException {
    store = work.resolve("keys");
    state = work.resolve("state");
    policy = Files.createDirectories(work.resolve("policy"));
    device = work.resolve("device.conf");
    Files.writeString(device, DeviceContextFile.format(FlowTestKit.device()));
    totp = work.resolve("alice.totp");
    Files.writeString(totp, TOTP_BASE32 + "\n");
    Files.setPosixFilePermissions(totp, PosixFilePermissions.fromString("rw-------"));
    endpoint = new RecordingEndpoint(work.resolve("endpoint"));
    logback = work.resolve("logback-kill.xml");
    Files.writeString(logback, """
        <configuration>
          <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
          <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
            <target>System.err</target>
            <encoder><pattern>keytrust %-5level %logger{24} - %msg%n</pattern></encoder>
          </appender>
          <appender name="PAUSE" class="dev.keytrust.sim.PauseAtEvent"/>
          <logger name="keytrust.events" level="INFO" additivity="false"><appender-ref ref="PAUSE"/></logger>
          <logger name="dev.keytrust" level="WARN"/>
          <root level="WARN"><appender-ref ref="STDERR"/></root>
        </configuration>
        """);
  }

  /** The TOTP code {@code steps} periods from now (a rerun uses a later step: a used one is refused). */
  static String code(int steps) {
    Totp t = new Totp(TOTP_SECRET, TotpAlgorithm.SHA1, 6, Duration.ofSeconds(30));
    return new String(t.code(t.timeStep(Instant.now()) + steps));
  }

  ProcessBuilder provision(String pauseAt) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // short-lived JVMs: start fast (two per kill point)
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"),
        "-Dlogback.configurationFile=" + logback));
    if (pauseAt != null) {
      cmd.add("-D" + PauseAtEvent.PROPERTY + "=" + pauseAt);
    }
    cmd.addAll(List.of("dev.keytrust.agent.cli.KeytrustCli", "provision", "--user", USER, "--alg", "p256",
        "--tpm", SWTPM.swtpm().tpmUri(), "--store", store.toString(), "--state-dir", state.toString(),
        "--policy-dir", policy.toString(), "--device", device.toString(),
        "--mfa", "totp:secret-file=" + totp, "--mfa-code-stdin", "--pin-stdin",
        "--endpoint", "recording:" + endpoint.dir(), "--json"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("KEYTRUST_TPM");
    return pb;
  }

  @ParameterizedTest(name = "killed at {0}")
  @MethodSource("killPoints")
  void killedAtEveryStepThenRerunEndsWithOneKeyAndOneRegistration(String point) throws Exception {
    String[] parts = point.split(":");
    boolean hook = !parts[1].equals("line");
    String waitFor = hook ? PauseAtEvent.PAUSED + " " + parts[0] + " " + parts[1] : "] " + parts[0] + " STARTED";

    // 1. run until the kill point, then SIGKILL
    Process p = provision(hook ? point : null).start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p));
    LinkedBlockingQueue<String> err = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> lines(p, err), "stderr of the killed run");
    reader.setDaemon(true);
    reader.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write((code(0) + "\n" + PIN + "\n").getBytes(StandardCharsets.UTF_8));
    }
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (seen.stream().noneMatch(l -> l.contains(waitFor))) {
      String line = err.poll(200, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
      } else if (!p.isAlive() && err.isEmpty()) {
        break;
      }
      assertThat(System.nanoTime()).as("kill point '%s' not reached in 60 s: %s", waitFor, seen).isLessThan(deadline);
    }
    assertThat(p.isAlive()).as("the run reached '%s' alive; its stderr: %s", waitFor, seen).isTrue();
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    out.join();

    // 2. rerun to completion
    Run rerun = run(code(1) + "\n" + PIN + "\n");
    assertThat(rerun.exit()).as("rerun after a kill at %s: %s", point, rerun.err()).isZero();
    Matcher m = KEY_ID.matcher(rerun.out());
    assertThat(m.find()).as(rerun.out()).isTrue();
    // the kill landed where intended: the journal exists from the end of the prerequisites step on
    List<String> points = killPoints().toList();
    boolean journaled = points.indexOf(point) >= points.indexOf("mfa:STARTED");
    assertThat(rerun.out()).as("resumed after a kill at %s", point).containsPattern("\"resumed\"\\s*:\\s*" + journaled);
    if (point.equals("key:SUCCEEDED")) {
      assertThat(rerun.out()).as("the unrecorded key of the killed run is replaced")
          .containsPattern("\"step\"\\s*:\\s*\"cleanup\"");
    }
    if (point.equals("register:SUCCEEDED")) {
      assertThat(endpoint.log()).as("the rerun sent the identical value again").hasSize(2)
          .last().asString().endsWith(" already-present");
    }

    // 3. exactly one key, exactly one registration, and it is that key's public key
    KeyContainerStore keys = new KeyContainerStore(store);
    assertThat(keys.users()).containsExactly(USER);
    KeyContainer key = keys.load(USER);
    assertThat(key.keyIdHex()).isEqualTo(m.group(1));
    assertThat(key.provider()).isEqualTo(ProviderKind.TPM);
    assertThat(key.algorithm()).isEqualTo(KeyAlgorithm.ECC_P256);
    List<RecordingEndpoint.Value> registered = endpoint.registered();
    assertThat(registered).as("registrations after a kill at %s; calls: %s", point, endpoint.log()).hasSize(1);
    RecordingEndpoint.Value value = registered.get(0);
    assertThat(value.keyIdHex()).isEqualTo(key.keyIdHex());
    assertThat(value.keyMaterialHex()).isEqualTo(HexFormat.of().formatHex(BcryptKeyBlob.of(key.publicKey()).encoded()));
    KeyCredential kcl = KeyCredential.parse(HexFormat.of().parseHex(value.credentialHex()));
    assertThat(kcl.keyId()).contains(BcryptKeyBlob.keyId(key.publicKey()));
    // the surviving key is in the TPM and works with the PIN
    byte[] challenge = ("kill test " + point).getBytes(StandardCharsets.UTF_8);
    byte[] signature;
    try (HelloKeys hello = HelloKeys.open(TpmUri.parse(SWTPM.swtpm().tpmUri()), store)) {
      signature = hello.sign(USER, challenge, TestPins.pin(PIN));
    }
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(key.publicKey());
    verifier.update(challenge);
    assertThat(verifier.verify(signature)).isTrue();

  }

  record Run(int exit, String out, String err) {}

  Run run(String stdin) throws Exception {
    Process p = provision(null).start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("keytrust provision did not finish in 90 s");
    }
    return new Run(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
  }

  static byte[] readAll(Process p) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      p.getInputStream().transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void lines(Process p, LinkedBlockingQueue<String> sink) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        sink.add(line);
      }
    } catch (IOException e) {
      // the process was killed
    }
  }
}
