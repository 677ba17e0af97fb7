package dev.keytrust.lab;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowListener;
import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.flow.RegisteredKey;
import dev.keytrust.agent.flow.StepEvent;
import dev.keytrust.agent.flow.StepId;
import dev.keytrust.agent.flow.StepOutcome;
import dev.keytrust.agent.kinit.FileCredentialCache;
import dev.keytrust.agent.kinit.HelloKeySigner;
import dev.keytrust.agent.kinit.KdcAddress;
import dev.keytrust.agent.kinit.KdcTrust;
import dev.keytrust.agent.kinit.KerberosCredentials;
import dev.keytrust.agent.kinit.KeyTrustKinit;
import dev.keytrust.agent.kinit.KinitAccount;
import dev.keytrust.agent.kinit.PkinitDetails;
import dev.keytrust.agent.mfa.MfaAttempt;
import dev.keytrust.agent.mfa.MfaFreshness;
import dev.keytrust.agent.mfa.MfaListener;
import dev.keytrust.agent.mfa.MfaOutcome;
import dev.keytrust.agent.mfa.MfaRetryPrompt;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.mfa.PushMfaProvider;
import dev.keytrust.agent.mfa.PushSettings;
import dev.keytrust.agent.pin.PinQuestion;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.agent.signin.DirectoryAccount;
import dev.keytrust.agent.signin.DirectoryKeyVerifier;
import dev.keytrust.agent.signin.KeyTrustSignIn;
import dev.keytrust.agent.signin.MatchedValue;
import dev.keytrust.agent.signin.SyncWatch;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import dev.keytrust.lab.push.PushStatus;
import dev.keytrust.secret.Pin;
import dev.keytrust.tpm.TpmUri;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code keytrust demo [--dir D] [--keep] [--no-kdc]}: the whole hybrid key trust story on a
 * {@link Lab}, one numbered line per step with its outcome:
 *
 * <ol>
 *   <li>the lab starts (swtpm when installed, else the software key provider, said so; sync every
 *       {@value #SYNC_SECONDS} s, push MFA approved by the lab after a short delay). Its directory
 *       is the lab KDC ({@link KeyTrustKdc}: Samba 4.24 in a chroot, key trust PKINIT) when that
 *       can be had here (root, its cached root or debootstrap and the Debian mirror to build it);
 *       otherwise the demo says why and uses the in-process directory, and the Kerberos steps say
 *       they are skipped;
 *   <li>the device context (hybrid joined, alice signed in) and the policy are written;
 *   <li>alice is provisioned through the real {@link ProvisioningFlow}: prerequisites, push MFA
 *       ({@link PushMfaProvider} polling the lab), a generated PIN (never printed or logged), the
 *       key, the KeyCredentialLink, registration over HTTPS at the lab key service;
 *   <li>the registered KeyCredentialLink, decoded;
 *   <li>{@link SyncWatch} polls the directory until the sync job has copied the key;
 *   <li>sign-in ({@link KeyTrustSignIn} and {@link DirectoryKeyVerifier}) succeeds;
 *   <li>Kerberos sign-in at the lab KDC ({@link KeyTrustKinit}): the TGT, shown as {@code klist}
 *       would, written to a credential cache in the lab folder;
 *   <li>a service ticket for {@code cifs/dc.keytrust.lab} with that cache, by MIT {@code kvno},
 *       and MIT {@code klist} listing both tickets;
 *   <li>sign-in with a wrong PIN is refused, with the tries left;
 *   <li>reset: the key is deleted and the registration removed;
 *   <li>the next sync cycle removes the value from the directory;
 *   <li>sign-in with a copy of the old key (taken before the reset) is refused: not in the directory
 *       (and, with the KDC, Kerberos sign-in with it is refused by the KDC);
 *   <li>the lab stops.
 * </ol>
 *
 * <p>Exit 0 only when every step ended as expected (the refusals are expected, and so are the
 * Kerberos steps' skips without a KDC), else 1 naming the step; 2 for bad arguments. The lab
 * folder is removed at the end unless {@code --keep}.
 */
public final class LabDemo {
  static final String USER = "alice" + LabMain.UPN_SUFFIX;
  static final int SYNC_SECONDS = 3;
  static final Duration PUSH_DELAY = Duration.ofSeconds(2);
  static final int STEPS = 13;
  private static final String INDENT = "      ";

  private static final String USAGE =
      "Usage: keytrust demo [--dir D] [--keep] [--no-kdc]\n"
          + "  Runs Windows Hello for Business hybrid key trust end to end on a lab (key service\n"
          + "  with push MFA, directory, sync job; swtpm when installed; the lab KDC, a Samba 4.24\n"
          + "  AD DC, when it can be built here): provisions alice, shows her KeyCredentialLink,\n"
          + "  waits for sync, signs in, signs in to Kerberos (TGT, service ticket), refuses a wrong\n"
          + "  PIN, resets, and refuses the removed key. Exit 0 when every step ends as expected.\n"
          + "  --dir D    the lab's folder (empty or new; default: a new one under the temp dir)\n"
          + "  --keep     keep the folder (and its CA, tokens, key store) after the demo\n"
          + "  --no-kdc   no lab KDC (in-process directory; the Kerberos steps are skipped)\n";

  /** A step that did not end as expected. */
  private static final class StepFailed extends Exception {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message, null, false, false);
    }
  }

  private final PrintStream out;
  private final boolean useSwtpm;
  private final boolean useKdc;
  /** Why there is no lab KDC; null while one runs. */
  private String noKdc;
  private Path ccache;
  private int skipped;
  private final SecureRandom random = new SecureRandom();
  private int step;
  private Lab lab;
  private Path work;
  private Path store;
  private Path stateDir;
  private TpmUri tpm;
  private Path deviceFile;
  private Path policyDir;
  private char[] pin;
  private KeyContainer key;

  private final Supplier<char[]> pins;

  private LabDemo(PrintStream out, boolean useSwtpm, boolean useKdc, Supplier<char[]> pins) {
    this.out = out;
    this.useSwtpm = useSwtpm;
    this.useKdc = useKdc;
    this.pins = pins != null ? pins : this::newPin;
  }

  /** Runs {@code keytrust demo ARGS}; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, null);
  }

  /**
   * As {@link #run(String[], PrintStream, PrintStream)}, with the PINs (the first is alice's, the
   * second the wrong one) from {@code pins} instead of generated ones: tests check that none shows.
   */
  static int run(String[] args, PrintStream out, PrintStream err, Supplier<char[]> pins) {
    Deque<String> a = new ArrayDeque<>(List.of(args));
    Path dir = null;
    boolean keep = false;
    boolean swtpm = true;
    boolean kdc = true;
    while (!a.isEmpty()) {
      String option = a.pop();
      String value = null;
      int eq = option.indexOf('=');
      if (option.startsWith("--") && eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      }
      switch (option) {
        case "-h", "--help" -> {
          out.print(USAGE);
          return 0;
        }
        case "--keep" -> keep = true;
        case "--no-swtpm" -> swtpm = false; // the software provider path, even where swtpm is installed
        case "--no-kdc" -> kdc = false;
        case "--dir" -> {
          if (value == null) {
            if (a.isEmpty()) {
              err.println("keytrust demo: --dir needs a value.");
              return 2;
            }
            value = a.pop();
          }
          dir = Path.of(value).toAbsolutePath().normalize();
        }
        default -> {
          err.println("keytrust demo: unknown option '" + option + "'.");
          err.print(USAGE);
          return 2;
        }
      }
    }
    return new LabDemo(out, swtpm, kdc, pins).run(dir, keep);
  }

  private int run(Path dir, boolean keep) {
    long t0 = System.nanoTime();
    out.println("keytrust demo: Windows Hello for Business hybrid key trust, end to end, on a lab in this"
        + " process");
    String failure = null;
    try {
      startLab(dir);
      writeDeviceAndPolicy();
      provision();
      showKeyCredentialLink();
      watchSync();
      signIn();
      kerberosSignIn();
      serviceTicket();
      wrongPin();
      Path copy = reset();
      watchRemoval();
      signInAfterReset(copy);
    } catch (StepFailed e) {
      failure = e.getMessage();
    } catch (KeytrustException | IOException | RuntimeException e) {
      failure = describe(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    } finally {
      if (pin != null) {
        Arrays.fill(pin, '\0');
      }
    }
    int failedStep = step;
    String failedTitle = currentTitle;
    if (failure != null) {
      out.println(INDENT + "FAILED: " + failure);
    }
    // the last step: stop what was started, also after a failure
    begin("Stop the lab (sync job, key service, directory" + (lab != null && lab.kdc().isPresent()
        ? " (the lab KDC)" : "") + (lab != null && lab.swtpm().isPresent() ? ", swtpm" : "") + ")");
    boolean stopped = stopLab(keep);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (failure != null) {
      out.printf("demo: FAILED at step %d (%s) after %.1f s%n", failedStep, failedTitle, seconds);
      out.flush();
      return 1;
    }
    if (!stopped) {
      out.printf("demo: FAILED at step %d (stopping the lab) after %.1f s%n", step, seconds);
      out.flush();
      return 1;
    }
    out.printf("demo: PASSED, every step ended as expected (%d steps%s, %.1f s)%n", STEPS,
        skipped == 0 ? "" : ", " + skipped + " skipped: no lab KDC", seconds);
    out.flush();
    return 0;
  }

  // ---- steps ----

  private String currentTitle = "";

  private void begin(String title) {
    step++;
    currentTitle = title;
    out.println("[" + step + "/" + STEPS + "] " + title);
    out.flush();
  }

  private void ok(String what) {
    out.println(INDENT + "OK: " + what);
    out.flush();
  }

  private void expected(String what) {
    out.println(INDENT + "REFUSED, as expected: " + what);
    out.flush();
  }

  private void skip(String why) {
    skipped++;
    out.println(INDENT + "SKIPPED: " + why);
    out.flush();
  }

  private void detail(String line) {
    out.println(INDENT + "  " + line);
    out.flush();
  }

  private void startLab(Path dir) throws IOException {
    begin("Start the lab: key service with push MFA (HTTPS), directory (LDAPS), sync job every "
        + SYNC_SECONDS + " s" + (useSwtpm && Swtpm.available() ? ", swtpm" : "")
        + (useKdc ? "; the directory is the lab KDC (Samba 4.24 AD DC) when it can be built" : ""));
    boolean withKdc = useKdc && kdcRoot();
    // the lab's own endpoint lines are indented under the step
    PrintStream labOut = new PrintStream(new java.io.OutputStream() {
      private final StringBuilder line = new StringBuilder();

      @Override
      public void write(int b) {
        if (b == '\n') {
          detail(line.toString());
          line.setLength(0);
        } else {
          line.append((char) b);
        }
      }
    }, true);
    lab = Lab.start(new Lab.Options(dir, Duration.ofSeconds(SYNC_SECONDS), PUSH_DELAY, useSwtpm,
        false, withKdc), labOut);
    work = lab.dir();
    store = work.resolve("keys");
    stateDir = work.resolve("state");
    try {
      tpm = TpmUri.parse(lab.tpmUri());
    } catch (KeytrustException e) {
      throw new IllegalStateException(e);
    }
    String directory = lab.kdc().map(k -> "; directory and KDC: Samba " + k.sambaVersion()
        + " AD DC for " + k.realm() + " on " + k.address())
        .orElse("; directory in-process, no lab KDC");
    if (lab.swtpm().isPresent()) {
      ok("lab up; TPM " + lab.tpmUri() + " (swtpm pid " + lab.swtpm().get().pid() + ")" + directory);
    } else {
      ok("lab up; NOTE: " + (useSwtpm ? "swtpm is not installed" : "--no-swtpm")
          + ", so the key is a software key (PIN-encrypted with Argon2id, own attempt counter) instead of a"
          + " TPM key" + directory);
    }
  }

  /**
   * Whether the lab KDC's root is there (built now when needed, a progress line per stage); when
   * it cannot be had, says why and that the demo goes on without it.
   */
  private boolean kdcRoot() {
    try {
      KeyTrustKdc.prepareRoot(line -> detail("kdc-root: " + line));
      return true;
    } catch (LabException e) {
      String[] lines = e.getMessage().strip().split("\\R");
      noKdc = lines[0];
      detail("NOTE: the lab KDC cannot be built here: " + lines[0]);
      if (lines.length > 1) {
        detail("      " + lines[lines.length - 1]);
      }
      detail("NOTE: the demo goes on without it: the directory is in-process, and the Kerberos"
          + " sign-in and service ticket steps are skipped.");
      return false;
    }
  }

  private void writeDeviceAndPolicy() throws IOException {
    begin("Write the device context (hybrid joined, alice signed in with a token for this device) and the policy");
    Lab.User alice = lab.user(USER);
    boolean hasTpm = !tpm.isSoftware();
    String device = Lab.deviceContext(alice, hasTpm);
    deviceFile = work.resolve("device.conf");
    Files.writeString(deviceFile, device);
    policyDir = work.resolve("policy");
    Path gpo = Files.createDirectories(policyDir.resolve("computer")).resolve("gpo.properties");
    Files.writeString(gpo, "# keytrust demo: computer policy\n"
        + "RequireSecurityDevice = " + (hasTpm ? "1" : "0") + "\n"
        + "PINComplexity/MinimumPINLength = 8\n");
    ok(deviceFile + " (device " + alice.deviceId() + "), " + gpo + " (RequireSecurityDevice = "
        + (hasTpm ? "1" : "0") + ", MinimumPINLength = 8)");
  }

  private void provision() throws KeytrustException, StepFailed {
    begin("Provision " + USER + " with the real provisioning flow: policy, prerequisites, push MFA, PIN, "
        + (tpm.isSoftware() ? "software" : "TPM") + " key, KeyCredentialLink, registration over HTTPS");
    pin = pins.get();
    Lab.User alice = lab.user(USER);
    PushSettings push = PushSettings.of(lab.keyService().pushUri())
        .withTokenFile(alice.tokenFile())
        .withCaFile(lab.caFile())
        .withPollInterval(Duration.ofMillis(500));
    long[] mfaStart = {0};
    MfaListener mfaProgress = new MfaListener() {
      @Override
      public void attemptStarted(MfaAttempt attempt, String instructions) {
        mfaStart[0] = System.nanoTime();
        detail("MFA (push): " + instructions + " Waiting... (the lab approves it after "
            + PUSH_DELAY.toSeconds() + " s)");
      }

      @Override
      public void attemptEnded(MfaAttempt attempt, MfaOutcome outcome) {
        detail(String.format("MFA (push): %s after %.1f s%s", outcome.status().name().toLowerCase(),
            (System.nanoTime() - mfaStart[0]) / 1e9, outcome.reason().isEmpty() ? "" : ": " + outcome.reason()));
      }
    };
    List<StepId> plan = ProvisioningFlow.plan(FlowOperation.PROVISION);
    FlowListener progress = e -> {
      if (e.outcome() != StepOutcome.STARTED) {
        detail(progressLine(e, plan));
      }
    };
    ProvisioningResult result;
    try (PushMfaProvider provider = new PushMfaProvider(push);
        KeyRegistrationEndpoint endpoint = KeyRegistrationEndpoints.open(lab.drsUri(),
            new EndpointSettings(Map.of("token-file", alice.tokenFile().toString(),
                "ca-file", lab.caFile().toString())))) {
      MfaRunner mfa = MfaRunner.builder(provider)
          .maxAttempts(1)
          .attemptTimeout(Duration.ofSeconds(30))
          .retryPrompt(MfaRetryPrompt.ALWAYS)
          .freshness(MfaFreshness.inDirectory(stateDir))
          .listener(mfaProgress)
          .build();
      ProvisioningFlow flow = ProvisioningFlow.builder()
          .store(new KeyContainerStore(store))
          .tpm(tpm)
          .algorithm(KeyAlgorithm.RSA_2048)
          .policies(new PolicyResolver(policyDir))
          .device(DeviceContextFile.read(deviceFile, RemoteSessionDetector.forThisProcess()))
          .mfa(mfa)
          .pins(new DemoPin())
          .stateDir(stateDir)
          .endpoint(endpoint)
          .listener(progress)
          .build();
      result = flow.run(USER);
    }
    if (result.outcome() != ProvisioningResult.Outcome.PROVISIONED || result.registered().isEmpty()) {
      throw new StepFailed("the flow ended " + result.outcome() + " without a registration");
    }
    if (lab.keyService().pushRequests().stream().noneMatch(p -> p.status() == PushStatus.APPROVED)) {
      throw new StepFailed("the lab approved no push request");
    }
    key = new KeyContainerStore(store).load(USER);
    ok("PROVISIONED: " + key.provider().name().toLowerCase() + " " + key.algorithm().id() + " key "
        + key.keyIdHex() + ", registered at " + result.registered().get().receipt().endpoint()
        + " (the PIN was generated for the demo and is never shown)");
    registered = result.registered().get();
  }

  private RegisteredKey registered;

  private void showKeyCredentialLink() throws KeytrustException, StepFailed {
    begin("The registered KeyCredentialLink (msDS-KeyCredentialLink value), decoded");
    KeyCredential kc = KeyCredential.parse(registered.registration().keyCredentialLink());
    byte[] keyId = kc.keyId().orElseThrow(() -> new StepFailed("the value has no KeyID"));
    if (!Arrays.equals(keyId, key.keyId())) {
      throw new StepFailed("its KeyID is not the key's id");
    }
    detail("version      : 0x" + Integer.toHexString(kc.version()));
    detail("KeyID        : " + Base64.getEncoder().encodeToString(keyId) + " (= SHA-256 of the key's BCRYPT blob)");
    detail("KeyHash      : " + (kc.keyHashValid().orElse(false) ? "valid" : "NOT valid"));
    detail("usage        : " + kc.usage().map(Enum::name).orElse("?"));
    detail("source       : " + kc.source().map(Enum::name).orElse("?") + " (as written by the flow; the"
        + " sync job writes it back as AzureAD)");
    detail("device id    : " + kc.deviceId().map(UUID::toString).orElse("none"));
    detail("key material : " + key.algorithm().id());
    detail("created      : " + kc.creationTime().map(Instant::toString).orElse("?"));
    detail("last logon   : " + kc.lastLogonTime().map(Instant::toString).orElse("?"));
    dev.keytrust.lab.keyservice.RegisteredKey atService = lab.keyService().registration(keyId)
        .orElseThrow(() -> new StepFailed("the lab key service holds no registration of the key"));
    detail("key service  : kid " + atService.kid() + ", user " + atService.upn() + ", device "
        + atService.deviceId() + ", registered " + atService.registeredAt());
    if (!kc.keyHashValid().orElse(false)) {
      throw new StepFailed("its KeyHash does not verify");
    }
    ok("key id " + Base64.getEncoder().encodeToString(keyId) + ", source " + kc.source().map(Enum::name).orElse("?")
        + ", device " + kc.deviceId().map(UUID::toString).orElse("none"));
  }

  private DirectoryKeyVerifier verifier() throws KeytrustException {
    return DirectoryKeyVerifier.open(lab.ldapsUri(), new EndpointSettings(Map.of(
        "credentials-file", lab.ldapCredentials().toString(),
        "ca-file", lab.ldapsCaFile().toString())));
  }

  private void watchSync() throws KeytrustException, StepFailed {
    begin("Wait for directory sync (SyncWatch polls alice's msDS-KeyCredentialLink over LDAPS every 1 s)");
    long t = System.nanoTime();
    SyncWatch.Result r;
    try (DirectoryKeyVerifier verifier = verifier()) {
      r = new SyncWatch(verifier).await(DirectoryAccount.of(USER, null), key, SYNC_SECONDS * 5 + 10,
          Duration.ofSeconds(1), poll -> detail(String.format("[%d/%d] %s: %s", poll.cycle(), poll.cycles(),
              poll.at().toString(), poll.match().map(m -> "key found (" + m.describe() + ")")
                  .orElse("key not in msDS-KeyCredentialLink yet (" + poll.values() + " value(s))"))));
    }
    if (!r.appeared()) {
      throw new StepFailed("the sync job did not copy the key within " + r.polls() + " polls");
    }
    MatchedValue m = r.match().get();
    ok(String.format("SYNCED after %.1f s: source %s, device %s, created %s", (System.nanoTime() - t) / 1e9,
        m.sourceName(), m.deviceId(), m.creationTime()));
  }

  private void signIn() throws KeytrustException {
    begin("Sign in: the PIN unlocks the key, the key signs a fresh challenge, the directory checks it");
    try (HelloKeys keys = HelloKeys.open(tpm, store); DirectoryKeyVerifier verifier = verifier();
        Pin p = Pin.copyOf(pin)) {
      KeyTrustSignIn.Result r = new KeyTrustSignIn().authenticate(keys, USER, p, verifier,
          DirectoryAccount.of(USER, null));
      detail("challenge " + HexFormat.of().formatHex(r.challenge()).substring(0, 16) + "..., "
          + r.verified().signatureAlgorithm() + " signature of " + r.signature().length + " bytes");
      ok("ACCEPTED: " + r.verified().match().describe() + " of " + r.verified().userDn());
    }
  }

  private void kerberosSignIn() throws KeytrustException {
    begin("Kerberos sign-in at the lab KDC: PKINIT with alice's key (key trust), the TGT into a"
        + " credential cache");
    if (lab.kdc().isEmpty()) {
      skip(noKdcReason());
      return;
    }
    KeyTrustKdc kdc = lab.kdc().get();
    ccache = work.resolve("krb5cc_alice");
    try (KerberosCredentials tgt = kinit(store)) {
      FileCredentialCache.write(ccache, tgt);
      PkinitDetails d = tgt.details();
      detail("Ticket cache      : FILE:" + ccache + " (0600)");
      detail("Default principal : " + tgt.client());
      detail("Service principal : " + tgt.server());
      detail("Valid starting    : " + tgt.times().startTime());
      detail("Expires           : " + tgt.times().endTime());
      tgt.times().renewTill().ifPresent(t -> detail("Renew until       : " + t));
      detail("Flags             : " + tgt.flags());
      detail("Session key       : " + tgt.sessionKey().etypeName());
      detail("KDC               : " + d.kdc() + ", certificate " + d.kdcCertificateSubject()
          + " from " + d.kdcCertificateIssuer());
      detail("Key exchange      : " + d.dhGroup() + (d.freshnessToken() ? ", freshness token" : ""));
      ok("TGT for " + tgt.client() + ": the KDC found the key in alice's msDS-KeyCredentialLink,"
          + " where the sync job wrote it");
    }
  }

  /** keytrust's Kerberos sign-in as alice with the key in {@code keyStore}, at the lab KDC. */
  private KerberosCredentials kinit(Path keyStore) throws KeytrustException {
    KeyTrustKdc kdc = lab.kdc().orElseThrow();
    try (HelloKeys keys = HelloKeys.open(tpm, keyStore); Pin p = Pin.copyOf(pin)) {
      return KeyTrustKinit.builder()
          .signer(HelloKeySigner.of(keys, USER, p))
          .account(KinitAccount.of(USER, null))
          .kdc(KdcAddress.parse(kdc.address()))
          .trust(KdcTrust.fromFile(kdc.caFile()))
          .build()
          .signIn();
    }
  }

  private void serviceTicket() throws StepFailed {
    String spn = "cifs/" + KeyTrustKdc.DC_HOST;
    begin("Service ticket: MIT kvno " + spn + " with that cache (a TGS exchange with the TGT)");
    if (lab.kdc().isEmpty()) {
      skip(noKdcReason());
      return;
    }
    if (!ProcessRunner.onPath("kvno") || !ProcessRunner.onPath("klist")) {
      throw new StepFailed("MIT kvno and klist are not installed: apt-get install krb5-user (or"
          + " ./scripts/install-deps.sh)");
    }
    KeyTrustKdc kdc = lab.kdc().get();
    ProcessResult kvno = mitKerberos(kdc, List.of("kvno", "-c", "FILE:" + ccache, spn));
    detail("$ KRB5_CONFIG=" + kdc.krb5Conf() + " kvno -c FILE:" + ccache + " " + spn);
    for (String line : (kvno.stdout() + kvno.stderr()).strip().split("\\R")) {
      detail("  " + line);
    }
    if (!kvno.succeeded()) {
      throw new StepFailed("kvno exited " + kvno.exitCode());
    }
    ProcessResult klist = mitKerberos(kdc, List.of("klist", "-c", "FILE:" + ccache));
    detail("$ klist -c FILE:" + ccache);
    for (String line : (klist.stdout() + klist.stderr()).strip().split("\\R")) {
      detail("  " + line);
    }
    if (!klist.succeeded() || !klist.stdout().contains(spn + "@" + kdc.realm())) {
      throw new StepFailed("klist does not list the service ticket");
    }
    ok("service ticket for " + spn + "@" + kdc.realm() + " in the cache, beside the TGT");
  }

  private ProcessResult mitKerberos(KeyTrustKdc kdc, List<String> command) {
    return ProcessRunner.run(command, true, Map.of("PATH", "/usr/bin:/bin",
        "KRB5_CONFIG", kdc.krb5Conf().toString()), work, new byte[0], Duration.ofSeconds(30), "");
  }

  private String noKdcReason() {
    return "no lab KDC (" + (useKdc ? noKdc : "--no-kdc") + ")";
  }

  private void wrongPin() throws KeytrustException, StepFailed {
    begin("Sign in with a wrong PIN");
    try (HelloKeys keys = HelloKeys.open(tpm, store); DirectoryKeyVerifier verifier = verifier();
        Pin wrong = Pin.moveFrom(pins.get())) {
      new KeyTrustSignIn().authenticate(keys, USER, wrong, verifier, DirectoryAccount.of(USER, null));
      throw new StepFailed("a wrong PIN was accepted");
    } catch (KeytrustException e) {
      if (e.code() != CoreErrorCode.WRONG_PIN) {
        throw e;
      }
      expected(describe(e));
    }
  }

  private Path reset() throws KeytrustException, IOException, StepFailed {
    begin("Reset alice (as a Windows Hello PIN reset): unregister the key, delete it, clear the records");
    // a copy of the key as it was, to show in step 10 that the directory alone decides
    Path copy = work.resolve("keys-before-reset");
    copyTree(store, copy);
    ProvisioningResult r;
    try (KeyRegistrationEndpoint endpoint = KeyRegistrationEndpoints.open(lab.drsUri(),
        new EndpointSettings(Map.of("token-file", lab.user(USER).tokenFile().toString(),
            "ca-file", lab.caFile().toString())))) {
      ProvisioningFlow flow = ProvisioningFlow.builder()
          .store(new KeyContainerStore(store))
          .tpm(tpm)
          .stateDir(stateDir)
          .endpoint(endpoint)
          .listener(e -> {
            if (e.outcome() != StepOutcome.STARTED) {
              detail(progressLine(e, ProvisioningFlow.plan(FlowOperation.RESET)));
            }
          })
          .build();
      r = flow.reset(USER);
    }
    if (r.outcome() != ProvisioningResult.Outcome.RESET) {
      throw new StepFailed("the reset ended " + r.outcome());
    }
    if (new KeyContainerStore(store).find(USER).isPresent()) {
      throw new StepFailed("the key is still in the key store");
    }
    if (lab.keyService().registration(key.keyId()).isPresent()) {
      throw new StepFailed("the key service still holds the registration");
    }
    ok("RESET: key deleted from the key store, registration removed at the key service");
    return copy;
  }

  private void watchRemoval() throws KeytrustException, StepFailed, InterruptedException {
    begin("Wait for the next sync cycle to remove the value from the directory");
    long t = System.nanoTime();
    long deadline = t + Duration.ofSeconds(SYNC_SECONDS * 5L + 10).toNanos();
    try (DirectoryKeyVerifier verifier = verifier()) {
      for (int poll = 1; ; poll++) {
        DirectoryKeyVerifier.Lookup l = verifier.lookup(DirectoryAccount.of(USER, null), key.keyId(), key.publicKey());
        detail("[" + poll + "] " + Instant.now() + ": " + (l.match().isPresent()
            ? "the value is still there" : "gone (" + l.values() + " value(s) left)"));
        if (l.match().isEmpty()) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new StepFailed("the sync job did not remove the value");
        }
        Thread.sleep(1000);
      }
    }
    ok(String.format("REMOVED after %.1f s", (System.nanoTime() - t) / 1e9));
  }

  private void signInAfterReset(Path copy) throws KeytrustException, StepFailed {
    begin("Sign in again, with a copy of the old key taken before the reset (the PIN still unlocks it)"
        + (lab.kdc().isPresent() ? ", to the directory and to the KDC" : ""));
    try (HelloKeys keys = HelloKeys.open(tpm, copy); DirectoryKeyVerifier verifier = verifier();
        Pin p = Pin.copyOf(pin)) {
      new KeyTrustSignIn().authenticate(keys, USER, p, verifier, DirectoryAccount.of(USER, null));
      throw new StepFailed("the directory accepted a key that was reset");
    } catch (KeytrustException e) {
      if (e.code() != AgentErrorCode.SIGNIN_KEY_NOT_IN_DIRECTORY) {
        throw e;
      }
      expected(describe(e));
    }
    if (lab.kdc().isPresent()) {
      try (KerberosCredentials tgt = kinit(copy)) {
        throw new StepFailed("the KDC issued a TGT for a key that was reset");
      } catch (KeytrustException e) {
        if (e.code() != AgentErrorCode.KINIT_KEY_NOT_TRUSTED) {
          throw e;
        }
        expected("Kerberos: " + describe(e));
      }
    }
  }

  private boolean stopLab(boolean keep) {
    if (lab == null) {
      ok("nothing was started");
      return true;
    }
    Optional<Long> swtpmPid = lab.swtpm().map(Swtpm::pid);
    try {
      lab.close();
    } catch (RuntimeException e) {
      out.println(INDENT + "FAILED: " + describe(e));
      return false;
    }
    boolean swtpmGone = swtpmPid.map(pid -> waitGone(pid)).orElse(true);
    if (!swtpmGone) {
      out.println(INDENT + "FAILED: swtpm (pid " + swtpmPid.get() + ") is still running");
      return false;
    }
    String files;
    if (keep) {
      files = "files kept in " + work;
    } else {
      try {
        // KeyTrustKdc.deleteState refuses while anything is mounted under the folder
        KeyTrustKdc.deleteState(work);
        files = work + " removed";
      } catch (LabException | UncheckedIOException e) {
        files = "could not remove " + work + ": " + e.getMessage();
      }
    }
    ok("stopped" + swtpmPid.map(pid -> " (swtpm pid " + pid + " ended)").orElse("") + "; " + files);
    return true;
  }

  // ---- helpers ----

  /** One PIN the demo's rules accept: 10 letters and digits (at least one of each). */
  private char[] newPin() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    char[] p = new char[10];
    while (true) {
      boolean letter = false;
      boolean digit = false;
      for (int i = 0; i < p.length; i++) {
        p[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        letter |= Character.isLetter(p[i]);
        digit |= Character.isDigit(p[i]);
      }
      if (letter && digit && (pin == null || !Arrays.equals(p, pin))) {
        return p;
      }
    }
  }

  /** Gives the generated PIN to the flow (as its own confirmation: not interactive). */
  private final class DemoPin implements PinSource {
    @Override
    public char[] read(PinQuestion question) {
      return pin.clone();
    }

    @Override
    public void tell(String message) {
      detail("PIN: " + message);
    }

    @Override
    public boolean interactive() {
      return false;
    }
  }

  private static String progressLine(StepEvent e, List<StepId> plan) {
    int n = plan.indexOf(e.step()) + 1;
    StringBuilder line = new StringBuilder(n == 0 ? "[+] " : "[" + n + "/" + plan.size() + "] ")
        .append(e.step().id()).append(' ').append(e.outcome().name())
        .append(' ').append(e.duration().toMillis()).append(" ms");
    e.error().ifPresent(code -> line.append(" [").append(code.id()).append(']'));
    e.details().ifPresent(d -> line.append(": ").append(d));
    return line.toString();
  }

  private static String describe(Throwable e) {
    if (e instanceof KeytrustException k) {
      return k.getMessage() + " [" + k.code().id() + "]";
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static boolean waitGone(long pid) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        Files.copy(d, to.resolve(from.relativize(d).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
