package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustStoreTrustManager;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeySource;
import dev.keytrust.lab.LabMain;
import dev.keytrust.lab.LabProcesses;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.TestKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code keytrust lab up} as a separate process (LabMain on this test's class path): waits for
 * {@code ready}, uses the printed endpoints and files as a client would (registers a key over
 * HTTPS, reads the synced value over LDAPS with the written credentials, connects to swtpm), then
 * sends SIGTERM and checks that everything stopped; also SIGTERM while the lab is still starting.
 * Under CI ({@code CI=true}) swtpm must be installed; elsewhere, without it, the lab runs without a
 * TPM and the swtpm checks are left out.
 */
class LabUpProcessTest {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path tmp;
  private Process process;
  private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();

  @AfterEach
  void stopLeftovers() throws Exception {
    if (process != null) {
      LabProcesses.stop(process); // our own child (SIGTERM first, so its hook runs) and its children
    }
  }

  private Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LabMain.class.getName()));
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).start();
    pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
        stdout::add);
    pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
        l -> stderr.append(l).append('\n'));
    return process;
  }

  private static void pump(BufferedReader reader, java.util.function.Consumer<String> sink) {
    Thread t = new Thread(() -> {
      try (reader) {
        for (String line; (line = reader.readLine()) != null; ) {
          sink.accept(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "lab-up-output");
    t.setDaemon(true);
    t.start();
  }

  /** The {@code name: value} lines up to {@code ready} (the first value of each name). */
  private Map<String, String> awaitReady() throws Exception {
    Map<String, String> printed = new LinkedHashMap<>();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String line = stdout.poll(200, TimeUnit.MILLISECONDS);
      if (line == null) {
        assertThat(process.isAlive()).as("lab up exited early; stderr:\n%s", stderr).isTrue();
        continue;
      }
      if (line.equals("ready")) {
        return printed;
      }
      int colon = line.indexOf(": ");
      assertThat(colon).as("line '%s'", line).isPositive();
      printed.putIfAbsent(line.substring(0, colon), line.substring(colon + 2));
    }
    throw new AssertionError("no 'ready' within " + START_TIMEOUT + "; stderr:\n" + stderr);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static LDAPConnection ldaps(URI uri, Path caFile) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = Files.newInputStream(caFile)) {
      trust.setCertificateEntry("ca",
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    Path store = Files.createTempFile("lab-trust", ".p12");
    try (var out = Files.newOutputStream(store)) {
      trust.store(out, "changeit".toCharArray());
    }
    SSLUtil ssl = new SSLUtil(new TrustStoreTrustManager(store.toFile(), "changeit".toCharArray(),
        "PKCS12", true));
    return new LDAPConnection(ssl.createSSLSocketFactory(), uri.getHost(), uri.getPort());
  }

  @Test
  void upServesEveryPrintedEndpointAndSigtermStopsEverything() throws Exception {
    boolean withSwtpm = LabProcesses.swtpmOrFailUnderCi();
    Path dir = tmp.resolve("lab");
    start("up", "--dir", dir.toString(), "--sync-interval", "1s");
    Map<String, String> printed = awaitReady();

    // files a client needs
    assertThat(printed.get("dir")).isEqualTo(dir.toString());
    Path ca = Path.of(printed.get("ca-file"));
    Path token = dir.resolve("alice.token");
    Path cred = Path.of(printed.get("ldap-credentials"));
    assertThat(ca).isRegularFile().isEqualTo(dir.resolve("ca.pem"));
    assertThat(Files.getPosixFilePermissions(token)).containsExactlyInAnyOrder(
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.getPosixFilePermissions(cred)).containsExactlyInAnyOrder(
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    Properties env = new Properties();
    try (var in = Files.newBufferedReader(dir.resolve(LabMain.ENV_FILE))) {
      env.load(in);
    }
    assertThat(env.getProperty("KEYTRUST_LAB_CA_FILE")).isEqualTo("'" + ca + "'");
    assertThat(printed.get("provision"))
        .contains("--endpoint https://127.0.0.1:", "token-file=" + token, "ca-file=" + ca);
    String allOutput = String.join("\n", printed.values()) + stderr;
    assertThat(allOutput).doesNotContain(Files.readString(token).strip());
    // the provisioning line names the device context the lab wrote (without it provision says KT-0001)
    Path device = dir.resolve(LabMain.DEVICE_FILE);
    assertThat(device).isRegularFile();
    assertThat(printed.get("device")).startsWith(device + " ");
    assertThat(printed.get("provision")).contains(" --device " + device + " ");
    assertThat(env.getProperty("KEYTRUST_LAB_DEVICE")).isEqualTo("'" + device + "'");

    // the key service: register alice's key with the printed URI, CA and token file
    URI drs = URI.create(printed.get("drs"));
    KeyRegistration r = TestKeys.registration("alice@keytrust.lab", 0, UUID.randomUUID());
    RegistrationReceipt receipt;
    try (KeyRegistrationEndpoint endpoint = KeyRegistrationEndpoints.open(drs,
        new EndpointSettings(Map.of("token-file", token.toString(), "ca-file", ca.toString())))) {
      receipt = endpoint.register(r);
    }
    assertThat(receipt.userPrincipalName()).isEqualTo("alice@keytrust.lab");

    // the directory over LDAPS with the written bind account; the sync job writes the key there
    Properties credentials = new Properties();
    try (var in = Files.newBufferedReader(cred)) {
      credentials.load(in);
    }
    URI ldapsUri = URI.create(printed.get("ldaps"));
    String synced = null;
    try (LDAPConnection c = ldaps(ldapsUri, ca)) {
      c.bind(credentials.getProperty("bind-dn"), credentials.getProperty("password"));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (synced == null && System.nanoTime() < deadline) {
        SearchResultEntry alice = c.searchForEntry("DC=keytrust,DC=lab",
            com.unboundid.ldap.sdk.SearchScope.SUB, "(userPrincipalName=alice@keytrust.lab)",
            "msDS-KeyCredentialLink");
        synced = alice.getAttributeValue("msDS-KeyCredentialLink");
        if (synced == null) {
          Thread.sleep(200);
        }
      }
    }
    assertThat(synced).as("synced value; stderr:\n%s", stderr).isNotNull();
    KeyCredential kc = KeyCredential.parse(DnBinary.parse(synced).binary());
    assertThat(kc.source()).hasValue(KeySource.AZURE_AD);
    assertThat(kc.keyId()).hasValueSatisfying(id -> assertThat(id).isEqualTo(r.keyId()));
    URI ldapUri = URI.create(printed.get("ldap"));
    assertThat(listening(ldapUri.getPort())).isTrue();

    // swtpm, when installed (always under CI)
    Long swtpmPid = null;
    int tpmPort = -1;
    if (withSwtpm) {
      swtpmPid = Long.parseLong(printed.get("swtpm-pid"));
      tpmPort = URI.create(printed.get("tpm")).getPort();
      assertThat(printed.get("tpm")).startsWith("mssim://127.0.0.1:");
      assertThat(ProcessHandle.of(swtpmPid)).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
      assertThat(listening(tpmPort)).isTrue();
      // the lab swtpm was manufactured with EK certificates and the key service has an attestation CA
      assertThat(Path.of(printed.get("attestation-ca").split(" ")[0])).isRegularFile()
          .isEqualTo(dir.resolve("attestation-ca.pem"));
    } else {
      assertThat(printed.get("tpm")).startsWith("none");
    }

    // the printed provisioning line runs as it is (push MFA approved by the lab), with only what a
    // user adds: the PIN on stdin and, to keep this test's files in its folder, the store and state
    ProcessResultLine provisioned = runPrinted(printed.get("provision"), List.of("--pin-stdin",
        "--store", tmp.resolve("keys").toString(), "--state-dir", tmp.resolve("state").toString(),
        "--policy-dir", tmp.resolve("no-policy").toString()), "Lab-Up-Pin-4711\n");
    assertThat(provisioned.exitCode()).as("the printed provision line; stdout:\n%s\nstderr:\n%s",
        provisioned.out(), provisioned.err()).isZero();
    assertThat(provisioned.err()).doesNotContain("KT-0001");

    // SIGTERM: everything stops. ProcessHandle.destroy sends SIGTERM on Linux and, unlike
    // Process.destroy, leaves our end of the child's stdout open, so 'stopped' can still be read.
    assertThat(process.toHandle().destroy()).isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stderr:\n%s", stderr).isTrue();
    List<String> rest = new ArrayList<>();
    long drainUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!rest.contains("stopped") && System.nanoTime() < drainUntil) {
      String line = stdout.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        rest.add(line);
      }
    }
    assertThat(rest).as("stdout after ready; exit %s; stderr:\n%s", process.exitValue(), stderr)
        .contains("stopped");
    assertThat(listening(drs.getPort())).isFalse();
    assertThat(listening(ldapUri.getPort())).isFalse();
    assertThat(listening(ldapsUri.getPort())).isFalse();
    if (swtpmPid != null) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (ProcessHandle.of(swtpmPid).map(ProcessHandle::isAlive).orElse(false)
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(ProcessHandle.of(swtpmPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(listening(tpmPort)).isFalse();
      assertThat(listening(tpmPort + 1)).isFalse();
    }
  }

  /**
   * SIGTERM as soon as the lab prints {@code dir:} (its first line: nothing but the folder exists
   * yet) or {@code swtpm-pid:} (swtpm runs, {@code ready} not printed yet): the shutdown hook,
   * registered before the start, stops what started and prints {@code stopped}; no process the
   * lab started survives it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"dir", "swtpm-pid"})
  void sigtermWhileStartingStopsWhatStarted(String line) throws Exception {
    boolean withSwtpm = LabProcesses.swtpmOrFailUnderCi();
    assumeTrue(withSwtpm || line.equals("dir"), Swtpm.MISSING_MESSAGE);
    Path dir = tmp.resolve("lab");
    start("up", "--dir", dir.toString());
    String value = null;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (value == null && System.nanoTime() < deadline) {
      String l = stdout.poll(200, TimeUnit.MILLISECONDS);
      if (l == null) {
        assertThat(process.isAlive()).as("lab up exited early; stderr:\n%s", stderr).isTrue();
      } else if (l.startsWith(line + ": ")) {
        value = l.substring(line.length() + 2);
      }
    }
    assertThat(value).as("a '%s:' line; stderr:\n%s", line, stderr).isNotNull();
    List<ProcessHandle> children = process.descendants().toList();
    assertThat(process.toHandle().destroy()).isTrue(); // SIGTERM
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stderr:\n%s", stderr).isTrue();
    List<String> rest = new ArrayList<>();
    long drainUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!rest.contains("stopped") && System.nanoTime() < drainUntil) {
      String l = stdout.poll(100, TimeUnit.MILLISECONDS);
      if (l != null) {
        rest.add(l);
      }
    }
    // every child it had, and any process still running with the lab folder on its command line
    // (swtpm's --tpmstate dir=.../swtpm), has ended; what did not is stopped here, by its handle
    long gone = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<ProcessHandle> alive = new ArrayList<>();
    do {
      alive.clear();
      children.stream().filter(ProcessHandle::isAlive).forEach(alive::add);
      ProcessHandle.allProcesses()
          .filter(h -> h.pid() != process.pid() && h.info().commandLine()
              .map(c -> c.contains(dir.toString())).orElse(false))
          .filter(h -> !alive.contains(h))
          .forEach(alive::add);
      if (!alive.isEmpty()) {
        Thread.sleep(50);
      }
    } while (!alive.isEmpty() && System.nanoTime() < gone);
    List<String> left = alive.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("?"))
        .toList();
    alive.forEach(ProcessHandle::destroyForcibly); // what our own child left, by handle

    assertThat(rest).as("stdout after '%s:'; stderr:\n%s", line, stderr).contains("stopped");
    if (line.equals("swtpm-pid")) {
      long pid = Long.parseLong(value);
      assertThat(children).as("children of lab up").anyMatch(h -> h.pid() == pid);
    }
    assertThat(left).as("processes left by lab up").isEmpty();
  }

  record ProcessResultLine(int exitCode, String out, String err) {}

  /**
   * Runs a printed {@code keytrust ...} line (split at spaces; the lab prints no quoted values) with
   * {@code extra} options, as the CLI on this test's class path, {@code stdin} as its input.
   */
  private ProcessResultLine runPrinted(String line, List<String> extra, String stdin) throws Exception {
    List<String> words = new ArrayList<>(List.of(line.trim().split(" +")));
    assertThat(words.get(0)).isEqualTo("keytrust");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.keytrust.agent.cli.KeytrustCli"));
    command.addAll(words.subList(1, words.size()));
    command.addAll(extra);
    Path out = tmp.resolve("printed-command.out");
    Path err = tmp.resolve("printed-command.err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the printed command did not end within 120 s: " + Files.readString(err));
    }
    return new ProcessResultLine(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void aDirectoryThatIsNotEmptyIsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("used"));
    Files.writeString(dir.resolve("ca.pem"), "old");
    start("up", "--dir", dir.toString());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    Thread.sleep(100);
    assertThat(stderr.toString()).contains("is not empty");
  }

  @Test
  void badArgumentsExit2() throws Exception {
    start("up", "--sync-interval", "soon");
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    start("down");
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
  }
}
