package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.flow.RecordingEndpoint;
import dev.keytrust.agent.flow.StepEvent;
import dev.keytrust.agent.mfa.Totp;
import dev.keytrust.agent.mfa.TotpAlgorithm;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.pin.PinRules;
import dev.keytrust.agent.pin.PinSealer;
import dev.keytrust.agent.pin.PinViolation;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.agent.prereq.JoinState;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.TpmUri;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code keytrust provision}, {@code pin change} and {@code reset} end to end in-process: software
 * keys ({@code --tpm software}), a policy folder that allows them, a device context file, TOTP MFA
 * with a known secret (the code on stdin, {@code --mfa-code-stdin}) and the file-backed recording
 * endpoint ({@code recording:DIR}).
 */
class FlowCliTest {
  /** RFC 6238's SHA-1 test secret "12345678901234567890". */
  static final String SECRET_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  static final String PIN = FlowTestKit.PIN;
  static final String PIN2 = FlowTestKit.PIN2;
  static final String USER = FlowTestKit.USER;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  Path store;
  Path state;
  Path policy;
  Path deviceFile;
  Path totpFile;
  RecordingEndpoint endpoint;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<Logger> captured = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    store = work.resolve("keys");
    state = work.resolve("state");
    policy = Files.createDirectories(work.resolve("policy"));
    FlowTestKit.policy(policy, "RequireSecurityDevice = false");
    deviceFile = work.resolve("device.conf");
    Files.writeString(deviceFile, DeviceContextFile.format(FlowTestKit.device()));
    totpFile = work.resolve("alice.totp");
    Files.writeString(totpFile, SECRET_BASE32 + "\n");
    Files.setPosixFilePermissions(totpFile, PosixFilePermissions.fromString("rw-------"));
    endpoint = new RecordingEndpoint(work.resolve("endpoint"));
    logs.start();
    for (String name : List.of(Logging.KEYTRUST, StepEvent.LOGGER)) {
      Logger l = (Logger) LoggerFactory.getLogger(name);
      l.addAppender(logs);
      captured.add(l);
    }
  }

  @AfterEach
  void tearDown() {
    captured.forEach(l -> l.detachAppender(logs));
    Logging.setVerbose(false);
  }

  /** The current TOTP code of the test secret, {@code steps} periods ahead. */
  static String code(int steps) {
    Totp totp = new Totp("12345678901234567890".getBytes(StandardCharsets.US_ASCII), TotpAlgorithm.SHA1, 6,
        Duration.ofSeconds(30));
    return new String(totp.code(totp.timeStep(Instant.now()) + steps));
  }

  List<String> common(String... more) {
    List<String> args = new ArrayList<>(List.of("--tpm", "software", "--store", store.toString(), "--state-dir",
        state.toString(), "--endpoint", "recording:" + endpoint.dir()));
    args.addAll(Arrays.asList(more));
    return args;
  }

  CliRunner.Result provision(String stdin, String... more) {
    List<String> args = new ArrayList<>(List.of("provision", "--user", USER, "--alg", "p256", "--policy-dir",
        policy.toString(), "--device", deviceFile.toString(), "--mfa", "totp:secret-file=" + totpFile,
        "--mfa-code-stdin", "--pin-stdin"));
    args.addAll(common(more));
    return new CliRunner().stdin(stdin).run(args.toArray(String[]::new));
  }

  CliRunner.Result pinChange(String stdin, String... more) {
    List<String> args = new ArrayList<>(List.of("pin", "change", "--user", USER, "--alg", "p256", "--policy-dir",
        policy.toString(), "--device", deviceFile.toString(), "--pin-stdin"));
    args.addAll(common(more));
    return new CliRunner().stdin(stdin).run(args.toArray(String[]::new));
  }

  CliRunner.Result reset(String... more) {
    List<String> args = new ArrayList<>(List.of("reset", "--user", USER, "--store", store.toString(), "--state-dir",
        state.toString(), "--endpoint", "recording:" + endpoint.dir()));
    args.addAll(Arrays.asList(more));
    return new CliRunner().run(args.toArray(String[]::new));
  }

  String storedKeyId() throws Exception {
    return new KeyContainerStore(store).load(USER).keyIdHex();
  }

  @Test
  void provisionsRegistersAndSaysWhatComesNext() throws Exception {
    CliRunner.Result r = provision(code(0) + "\n" + PIN + "\n");

    assertThat(r.exitCode()).as(r.err()).isZero();
    String keyId = storedKeyId();
    assertThat(endpoint.registered()).singleElement().satisfies(v -> {
      assertThat(v.keyIdHex()).isEqualTo(keyId);
      assertThat(v.userPrincipalName()).isEqualTo(USER);
    });
    // one progress line per event: STARTED and SUCCEEDED of all eight steps, in order
    List<String> progress = r.err().lines().filter(l -> l.startsWith("[")).toList();
    assertThat(progress).hasSize(16);
    String[] steps = {"policy", "prerequisites", "mfa", "pin", "key", "credential", "register", "receipt"};
    for (int i = 0; i < steps.length; i++) {
      assertThat(progress.get(2 * i)).startsWith("[" + (i + 1) + "/8] " + steps[i] + " STARTED: ");
      assertThat(progress.get(2 * i + 1)).matches("\\[" + (i + 1) + "/8\\] " + steps[i] + " SUCCEEDED \\d+ ms.*");
    }
    assertThat(r.err()).contains("keytrust: MFA (totp): Enter the 6-digit code")
        .doesNotContain("WARN", "ERROR");
    assertThat(r.out()).contains("Windows Hello for Business key provisioned", keyId, " Provider : software",
        "Key registered; your PIN now unlocks it on this device.",
        "On-premises sign-in works after the directory sync copies the key to Active Directory");

    // a second run changes nothing and asks nothing
    CliRunner.Result again = provision("");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out()).contains("Already provisioned", keyId);
    assertThat(endpoint.registered()).hasSize(1);
  }

  @Test
  void jsonResult() throws Exception {
    CliRunner.Result r = provision(code(0) + "\n" + PIN + "\n", "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get("operation").asText()).isEqualTo("provision");
    assertThat(json.get("outcome").asText()).isEqualTo("PROVISIONED");
    assertThat(json.get("user").asText()).isEqualTo(USER);
    assertThat(json.get("keyId").asText()).isEqualTo(storedKeyId());
    assertThat(json.get("provider").asText()).isEqualTo("software");
    assertThat(json.get("registration").get("keyIdHex").asText()).isEqualTo(storedKeyId());
    assertThat(json.get("registration").get("endpoint").asText()).startsWith("recording:");
    assertThat(json.get("events")).hasSize(16);
    assertThat(json.get("events").get(9).get("step").asText()).isEqualTo("key");
    assertThat(json.get("events").get(9).get("outcome").asText()).isEqualTo("SUCCEEDED");
    assertThat(json.get("next").asText()).contains("up to 30 minutes");
  }

  @Test
  void aBadPinIsRefusedWithEveryUnmetRule() throws Exception {
    FlowTestKit.policy(policy, "RequireSecurityDevice = false", "PINComplexity/MinimumPINLength = 8",
        "PINComplexity/Digits = 1", "PINComplexity/UppercaseLetters = 1", "PINComplexity/SpecialCharacters = 1");
    String bad = "abcd";
    List<PinViolation> unmet = PinRules.check(TestPins.pin(bad),
        new PolicyResolver(policy).resolve(USER).pinPolicy()).violations();
    assertThat(unmet).hasSizeGreaterThanOrEqualTo(4);

    CliRunner.Result r = provision(code(0) + "\n" + bad + "\n");

    assertThat(r.exitCode()).isEqualTo(2);
    String last = r.err().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(last).startsWith("keytrust: The PIN does not meet " + unmet.size() + " rules").endsWith("[KT-1401]");
    for (PinViolation v : unmet) {
      assertThat(last).contains(v.message());
    }
    assertThat(r.err()).contains("[4/8] pin FAILED").doesNotContain(bad);
    assertThat(new KeyContainerStore(store).find(USER)).isEmpty();
    assertThat(endpoint.registered()).isEmpty();
  }

  @Test
  void statusAndProvisionAgreeWhenPolicyNeedsATpmButSoftwareIsSelected() throws Exception {
    FlowTestKit.policy(policy, "RequireSecurityDevice = 1");

    CliRunner.Result status = new CliRunner().run("status", "--user", USER, "--policy-dir", policy.toString(),
        "--device", deviceFile.toString(), "--tpm", "software", "--store", store.toString());
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("DeviceEligible : NO (RequireSecurityDevice = true (computer GPO ")
        .contains("the software key provider was selected instead of a TPM")
        .contains("PreReqResult : WillNotProvision (event 360)");

    // nothing on stdin: a flow that asked for the MFA code or the PIN would fail differently
    CliRunner.Result r = provision("");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("[2/8] prerequisites FAILED").doesNotContain("mfa STARTED")
        .doesNotContain("KT-1503");
    assertThat(r.err().lines().reduce((a, b) -> b).orElseThrow())
        .startsWith("keytrust: Provisioning will not start:").contains("software key provider")
        .endsWith("[KT-1203]");
    assertThat(new KeyContainerStore(store).find(USER)).isEmpty();
    assertThat(endpoint.log()).isEmpty();
  }

  @Test
  void prerequisitesNoStopsBeforeAnythingIsCreated() throws Exception {
    Files.writeString(deviceFile, DeviceContextFile.format(
        FlowTestKit.device().toBuilder().joinState(JoinState.NOT_JOINED).build()));

    CliRunner.Result r = provision(code(0) + "\n" + PIN + "\n");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("[2/8] prerequisites FAILED").doesNotContain("mfa STARTED");
    assertThat(r.err().lines().reduce((a, b) -> b).orElseThrow())
        .startsWith("keytrust: Provisioning will not start:").endsWith("[KT-1203]");
    assertThat(new KeyContainerStore(store).find(USER)).isEmpty();
    assertThat(endpoint.log()).isEmpty();
    assertThat(r.out()).isEmpty();
  }

  @Test
  void pinChangeReplacesTheKeyAndItsRegistration() throws Exception {
    assertThat(provision(code(0) + "\n" + PIN + "\n").exitCode()).isZero();
    String oldKey = storedKeyId();

    CliRunner.Result wrong = pinChange("Wrong-0000\n" + PIN2 + "\n");
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err()).contains("[2/9] current-pin FAILED");
    assertThat(storedKeyId()).isEqualTo(oldKey);

    CliRunner.Result r = pinChange(PIN + "\n" + PIN2 + "\n");

    assertThat(r.exitCode()).as(r.err()).isZero();
    String newKey = storedKeyId();
    assertThat(newKey).isNotEqualTo(oldKey);
    assertThat(endpoint.registered()).singleElement().satisfies(v -> assertThat(v.keyIdHex()).isEqualTo(newKey));
    assertThat(endpoint.log()).contains("unregister " + oldKey);
    assertThat(r.err()).contains("[9/9] unregister-old SUCCEEDED");
    assertThat(r.out()).contains("PIN changed", newKey);
    // the new PIN unlocks the new key
    CliRunner.Result signed = new CliRunner().stdin(PIN2 + "\n").run("key", "sign", "--user", USER, "--data-hex",
        "00", "--store", store.toString(), "--pin-stdin");
    assertThat(signed.exitCode()).as(signed.err()).isZero();
  }

  @Test
  void anExpiredPinIsShownByStatusAndRefusedBeforeItIsAskedForUntilItIsChanged() throws Exception {
    FlowTestKit.policy(policy, "RequireSecurityDevice = false", "PINComplexity/Expiration = 30");
    assertThat(provision(code(0) + "\n" + PIN + "\n").exitCode()).isZero();
    List<String> where = List.of("--user", USER, "--store", store.toString(), "--policy-dir", policy.toString(),
        "--state-dir", state.toString());

    CliRunner.Result fresh = status(where);
    assertThat(fresh.out()).containsPattern("PIN expires : 20\\S+ \\(in (30 d|29 d 23 h); PINComplexity/Expiration is 30"
        + " days\\)");
    assertThat(sign(where, PIN).exitCode()).as("a fresh PIN signs").isZero();

    // the PIN was set 31 days ago (recorded through the history's own API with a clock set back)
    EffectivePolicy effective = FlowTestKit.policy(policy).resolve(USER);
    PinHistory.forUser(state, USER, PinHistory.DEFAULT_COST,
            Clock.fixed(Instant.now().minus(Duration.ofDays(31)), ZoneOffset.UTC))
        .sealedWith(PinSealer.withKeys(new KeyContainerStore(store),
            kind -> HelloKeys.open(TpmUri.parse("software"), store)))
        .record(TestPins.pin(PIN), effective.pinPolicy());

    CliRunner.Result expired = status(where);
    assertThat(expired.out()).containsPattern("PIN expires : EXPIRED at 20\\S+ \\(1 d ago;"
        + " PINComplexity/Expiration is 30 days\\): change the PIN \\(keytrust pin change\\)");
    List<String> json = new ArrayList<>(where);
    json.add("--json");
    assertThat(JSON.readTree(status(json).out()).at("/user/pin/expired").asBoolean()).isTrue();

    // the sign-in commands refuse it before the PIN is read: nothing on stdin, no try spent
    for (List<String> command : List.of(List.of("key", "sign", "--data-hex", "00"),
        List.of("authenticate", "--directory", "ldap://127.0.0.1:9/DC=contoso,DC=com", "--directory-setting",
            "credentials-file=" + bindCredentials()),
        List.of("kinit", "--kdc", "127.0.0.1:9", "--realm", "CONTOSO.COM", "--kdc-ca", selfSignedCa().toString(),
            "--ccache", "FILE:" + work.resolve("cc")))) {
      List<String> args = new ArrayList<>(command);
      args.addAll(where);
      args.addAll(List.of("--tpm", "software", "--pin-stdin"));
      CliRunner.Result r = new CliRunner().stdin("").run(args.toArray(String[]::new));
      assertThat(r.exitCode()).as(command + ": " + r.err()).isEqualTo(1);
      assertThat(r.err()).as(command.toString()).contains("expired at").contains("keytrust pin change")
          .endsWith("[KT-1402]" + System.lineSeparator());
    }

    // the expired PIN still proves the user for the change, and the new PIN signs
    CliRunner.Result changed = pinChange(PIN + "\n" + PIN2 + "\n");
    assertThat(changed.exitCode()).as(changed.err()).isZero();
    assertThat(status(where).out()).containsPattern("\\(in (30 d|29 d 23 h);");
    assertThat(sign(where, PIN2).exitCode()).isZero();
  }

  /** A directory bind account file for authenticate (refused before it would be used). */
  Path bindCredentials() throws Exception {
    Path file = work.resolve("bind.cred");
    Files.writeString(file, "bind-dn=CN=reader,DC=contoso,DC=com\npassword=not-used\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** A CA certificate for kinit's --kdc-ca (kinit is refused before it would be used). */
  Path selfSignedCa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair kp = g.generateKeyPair();
    X500Name name = new X500Name("CN=keytrust test KDC CA");
    Instant now = Instant.now();
    X509CertificateHolder cert = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now),
        Date.from(now.plus(Duration.ofDays(1))), name, kp.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
    Path file = work.resolve("kdc-ca.pem");
    Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    return file;
  }

  static CliRunner.Result status(List<String> where) {
    List<String> args = new ArrayList<>(List.of("status", "--tpm", "software"));
    args.addAll(where);
    return new CliRunner().run(args.toArray(String[]::new));
  }

  static CliRunner.Result sign(List<String> where, String pin) {
    List<String> args = new ArrayList<>(List.of("key", "sign", "--data-hex", "00", "--tpm", "software",
        "--pin-stdin"));
    args.addAll(where);
    return new CliRunner().stdin(pin + "\n").run(args.toArray(String[]::new));
  }

  @Test
  void resetRemovesEverythingAndIsIdempotent() throws Exception {
    assertThat(provision(code(0) + "\n" + PIN + "\n").exitCode()).isZero();
    String key = storedKeyId();

    CliRunner.Result r = reset();

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(new KeyContainerStore(store).find(USER)).isEmpty();
    assertThat(endpoint.registered()).isEmpty();
    assertThat(endpoint.log()).contains("unregister " + key);
    assertThat(r.err()).contains("[1/3] unregister SUCCEEDED", "[2/3] delete-key SUCCEEDED", "[3/3] clear SUCCEEDED");
    assertThat(r.out()).contains("Reset done", "keytrust provision --user " + USER);

    CliRunner.Result again = reset("--json");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(JSON.readTree(again.out()).get("outcome").asText()).isEqualTo("NOTHING_TO_RESET");

    // and provisioning works again: the MFA within 10 minutes is reused, and the code line on stdin
    // (always first with --mfa-code-stdin) is dropped rather than taken for the PIN
    CliRunner.Result reprovision = provision(code(1) + "\n" + PIN2 + "\n", "--json");
    assertThat(reprovision.exitCode()).as(reprovision.err()).isZero();
    assertThat(reprovision.err()).contains("[3/8] mfa SKIPPED");
    CliRunner.Result signed = new CliRunner().stdin(PIN2 + "\n").run("key", "sign", "--user", USER, "--data-hex",
        "00", "--store", store.toString(), "--pin-stdin");
    assertThat(signed.exitCode()).as(signed.err()).isZero();
  }

  @Test
  void badInputExitsTwoBeforeAnythingHappens() {
    CliRunner.Result noMfa = new CliRunner().run("provision", "--user", USER, "--tpm", "software", "--store",
        store.toString(), "--device", deviceFile.toString(), "--endpoint", "recording:" + endpoint.dir());
    assertThat(noMfa.exitCode()).isEqualTo(2);
    assertThat(noMfa.err()).startsWith("keytrust: Provisioning needs MFA").endsWith("[KT-0001]\n");

    CliRunner.Result none = provision("", "--mfa", "none");
    assertThat(none.exitCode()).isEqualTo(2);
    CliRunner.Result scheme = new CliRunner().run("reset", "--user", USER, "--store", store.toString(),
        "--endpoint", "gopher://x");
    assertThat(scheme.exitCode()).isEqualTo(2);
    assertThat(scheme.err()).contains("No registration endpoint serves 'gopher:'");
    assertThat(Files.exists(store)).isFalse();
  }

  @Test
  void noPinOrCodeInOutputOrLogs() throws Exception {
    String code = code(0);
    List<CliRunner.Result> runs = new ArrayList<>();
    runs.add(provision(code + "\n" + PIN + "\n", "-v"));
    runs.add(pinChange("Wrong-0000\n" + PIN2 + "\n", "-v"));
    runs.add(pinChange(PIN + "\n" + PIN2 + "\n", "-v"));
    runs.add(new CliRunner().run("reset", "-v", "--user", USER, "--store", store.toString(), "--state-dir",
        state.toString(), "--endpoint", "recording:" + endpoint.dir(), "--json"));
    assertThat(runs).extracting(CliRunner.Result::exitCode).containsExactly(0, 1, 0, 0);
    assertThat(logs.list).as("-v logs the flow").anySatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.DEBUG));
    List<String> texts = new ArrayList<>();
    for (CliRunner.Result r : runs) {
      texts.add(r.out());
      texts.add(r.err());
    }
    for (ILoggingEvent e : logs.list) {
      texts.add(e.getFormattedMessage() + " " + Arrays.toString(e.getArgumentArray()) + " " + e.getKeyValuePairs()
          + (e.getThrowableProxy() != null ? " " + e.getThrowableProxy().getMessage() : ""));
    }
    // and nothing in the state folder, store or endpoint files holds them in clear either
    try (Stream<Path> files = Stream.of(store, state, endpoint.dir()).flatMap(FlowCliTest::walk)) {
      files.filter(Files::isRegularFile).forEach(f -> texts.add(new String(read(f), StandardCharsets.ISO_8859_1)));
    }
    for (String t : texts) {
      assertThat(t).doesNotContain(PIN, PIN2, "Wrong-0000", code);
    }
  }

  private static Stream<Path> walk(Path p) {
    try {
      return Files.exists(p) ? Files.walk(p).toList().stream() : Stream.empty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
