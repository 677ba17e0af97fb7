package dev.keytrust.lab;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.flow.HelloKeysFactory;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.JoinState;
import dev.keytrust.agent.prereq.SessionInfo;
import dev.keytrust.agent.prereq.TpmState;
import dev.keytrust.agent.prereq.TpmVersion;
import dev.keytrust.agent.prereq.UserIdentity;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.lab.keyservice.LabTokens;
import dev.keytrust.lab.keyservice.TokenClaims;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTemplates;
import dev.keytrust.tpm.TpmTransport;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * {@code keytrust lab fleet --devices N --concurrency C}: provisions N simulated devices against
 * one lab key service and directory, C at a time, and reports throughput, latency and where the
 * time went, as Markdown and a PNG chart.
 *
 * <p>Each device is its own swtpm (free loopback ports, its own state folder, started for the
 * device and stopped through its process handle, by pid, when the device is done) and its own key
 * store, with user {@code uK@keytrust.lab} (K = 1..N) in the lab directory and a token for a
 * device id of its own. The device runs the real {@link ProvisioningFlow} with an RSA-2048 TPM key
 * (the lab's DRS-style service takes RSA keys), registering over HTTPS with the DRS endpoint; MFA
 * succeeds at once (a person's step, not the fleet's) and the PIN comes from a script. After the
 * devices, one cycle of the lab's sync job copies every key into the directory, and each user's
 * msDS-KeyCredentialLink is checked.
 *
 * <p><b>Against what swtpm alone allows, pair by pair.</b> Every fleet device has a partner that
 * runs the same TPM commands on swtpm alone, without keytrust, and the two sides run in alternating
 * batches of the same size at the same concurrency ({@code --batch}, default 2 × C): a batch of
 * fleet devices, then a batch of their partners, then the next batch of fleet devices, and so on.
 * Load that drifts during the run (the machine is shared) then weighs on both sides alike, and
 * both sides have the same number of devices. Each side's throughput is its devices over the sum
 * of its batches' wall times; the goal (≥ 0.8) reads fleet / swtpm alone.
 *
 * <p>What "the same TPM commands" means, and why it is fair: most of a device's TPM time is two
 * RSA-2048 key generations, the SRK's TPM2_CreatePrimary and the user key's TPM2_Create, whose
 * prime search varies by hundreds of milliseconds from one key to the next. So each pair starts
 * from the same TPM: before the batches, a TPM state is manufactured for every device (a swtpm
 * started once on an empty folder and stopped: its seeds), and both the fleet device's swtpm and
 * its partner's start from a copy of it. A primary key is derived from its hierarchy's seed, so
 * the partner's TPM2_CreatePrimary of the same template makes the same SRK with the same prime
 * search: that variance cancels within each pair. The partner sends its fleet device's commands
 * as recorded (GetCapability, ReadPublic, CreatePrimary, EvictControl, the salted
 * TPM2_StartAuthSession, whose salt the same SRK decrypts, and the FlushContext of those sessions),
 * except the commands that ran in a salted HMAC session, which cannot be replayed (the TPM's
 * nonces are new each time): for those it sends TPM2_Create of the same template (the RSA key,
 * then the PIN history's sealed object) with a password session. The user key's TPM2_Create
 * draws new primes on each side, so that part of the variance stays and averages out over the
 * pairs; the report gives the ratio of every batch pair beside the whole run's, and a 90 %
 * bootstrap interval of the whole run's ratio over its batch pairs. Both sides start
 * and stop a swtpm per device, through the same code. A partner whose answers differ from its
 * fleet device's recorded response codes counts as a failed command.
 *
 * <p>Bounded: no device starts after {@code --max-time} (default 10 min); devices not started are
 * reported. Every swtpm is stopped in a {@code finally} and by a shutdown hook.
 */
public final class LabFleet {
  static final String PIN = "Fleet#4821x";
  static final Argon2Parameters CHEAP = new Argon2Parameters(8, 1, 1);
  /** The file of swtpm's TPM 2.0 state folder that holds the permanent state (the seeds among it). */
  static final String STATE_FILE = "tpm2-00.permall";
  static final String USAGE =
      "Usage: keytrust lab fleet --devices N --concurrency C [--dir D] [--max-time DURATION] [--batch B]\n"
          + "  Provisions N simulated devices (each its own swtpm and device id, users u1..uN) against the\n"
          + "  lab key service and directory, C at a time, then syncs the keys into the directory.\n"
          + "  Writes D/fleet.md and D/fleet.png: devices per minute, p50/p95/p99 latency, errors, where\n"
          + "  the time went, and the throughput of the same TPM commands on swtpm alone at the same\n"
          + "  concurrency: each device's commands replayed on a copy of its TPM's state, in batches of\n"
          + "  B devices (default 2 x C) alternating with the fleet's.\n"
          + "  --max-time  no device starts after it (default 10m)\n";

  /** What one device took. */
  record DeviceResult(int index, boolean ok, String error, double totalMs, double swtpmStartMs, double flowMs,
      double tpmWireMs, double keyServiceMs, double swtpmCpuMs, double swtpmStopMs, int tpmCommands) {}

  private final Path dir;
  private final int devices;
  private final int concurrency;
  private final Duration maxTime;
  private final int batch;
  private final PrintStream out;
  private final List<Swtpm> running = Collections.synchronizedList(new ArrayList<>());

  private LabFleet(Path dir, int devices, int concurrency, Duration maxTime, int batch, PrintStream out) {
    this.dir = dir;
    this.devices = devices;
    this.concurrency = concurrency;
    this.maxTime = maxTime;
    this.batch = batch;
    this.out = out;
  }

  /** Runs {@code keytrust lab fleet ARGS}; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    int n = 0;
    int c = 0;
    Path d = null;
    Duration max = Duration.ofMinutes(10);
    int b = -1;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        out.print(USAGE);
        return 0;
      }
      if (i + 1 >= args.length) {
        err.println("keytrust lab fleet: " + a + " needs a value.");
        err.print(USAGE);
        return 2;
      }
      String v = args[++i];
      try {
        switch (a) {
          case "--devices" -> n = Integer.parseInt(v);
          case "--concurrency" -> c = Integer.parseInt(v);
          case "--dir" -> d = Path.of(v).toAbsolutePath().normalize();
          case "--max-time" -> max = LabSync.parseInterval(v);
          case "--batch" -> b = Integer.parseInt(v);
          default -> {
            err.println("keytrust lab fleet: unknown option '" + a + "'.");
            err.print(USAGE);
            return 2;
          }
        }
      } catch (IllegalArgumentException e) {
        err.println("keytrust lab fleet: " + a + ": '" + v + "' is not valid (" + e.getMessage() + ").");
        return 2;
      }
    }
    if (n < 1 || c < 1 || n > 1000 || c > 64 || b == 0 || b > 1000) {
      err.println("keytrust lab fleet: --devices (1..1000) and --concurrency (1..64) are required;"
          + " --batch is 1..1000.");
      err.print(USAGE);
      return 2;
    }
    if (!Swtpm.available()) {
      err.println("keytrust lab fleet: " + Swtpm.MISSING_MESSAGE);
      return 1;
    }
    try {
      Path folder = d != null ? Files.createDirectories(d) : Files.createTempDirectory("keytrust-fleet-");
      LabFleet fleet = new LabFleet(folder, n, c, max, b > 0 ? b : 2 * c, out);
      Thread hook = new Thread(fleet::stopAll, "keytrust-fleet-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        return fleet.run();
      } finally {
        fleet.stopAll();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
          // the hook runs
        }
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      err.println("keytrust lab fleet: " + e);
      return 1;
    }
  }

  private void stopAll() {
    List<Swtpm> copy;
    synchronized (running) {
      copy = new ArrayList<>(running);
    }
    copy.forEach(Swtpm::stop);
  }

  private Swtpm startSwtpm(Path state) {
    Swtpm s = Swtpm.startTcp(state);
    running.add(s);
    return s;
  }

  private void stopSwtpm(Swtpm s) {
    s.stop();
    running.remove(s);
  }

  private int run() throws IOException, InterruptedException {
    String load0 = load();
    out.println("dir: " + dir);
    LabCertificates certs = LabCertificates.create(dir.resolve("pki"));
    try (LabKeyService service = LabKeyService.start(certs); LabDirectory directory = LabDirectory.start(certs)) {
      Path policy = Files.createDirectories(dir.resolve("policy"));
      List<String> dns = new ArrayList<>();
      List<Path> tokens = new ArrayList<>();
      List<UUID> deviceIds = new ArrayList<>();
      for (int k = 1; k <= devices; k++) {
        String upn = "u" + k + LabMain.UPN_SUFFIX;
        dns.add(directory.addUser("U" + k, upn, "u" + k));
        UUID device = UUID.randomUUID();
        deviceIds.add(device);
        String token = service.issueToken(new TokenClaims(upn, device, LabTokens.defaultAmr(),
            Instant.now().plus(LabMain.TOKEN_LIFETIME)));
        tokens.add(Lab.secretFile(dir.resolve("u" + k + ".token"), token + "\n"));
      }
      out.println("users: u1..u" + devices + LabMain.UPN_SUFFIX + " in the lab directory, tokens in " + dir);

      // every device's TPM, manufactured (its seeds) before the batches: the fleet device and its
      // partner on swtpm alone each start from a copy
      out.println("TPM states: " + (devices + 1) + " manufactured, " + concurrency + " at a time");
      manufacture(devices + 1);

      // a first pair, not counted: warms both sides' code and checks that the replay answers as recorded
      Recorded warmRecording = new Recorded();
      DeviceResult first = device(0, service, certs, policy, tokens, deviceIds, "warm-up", warmRecording);
      if (!first.ok()) {
        out.println("the first device failed: " + first.error());
        return 1;
      }
      PartnerResult warmPartner = partner(0, baselineCommands(warmRecording));
      if (warmPartner.failures() > 0) {
        out.println("swtpm alone did not answer the first device's commands as recorded: " + warmPartner.failures()
            + " different answers");
        return 1;
      }

      out.println("fleet and swtpm alone: " + devices + " devices each, in alternating batches of " + batch
          + " at concurrency " + concurrency);
      ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
        Thread t = new Thread(r, "fleet-device");
        t.setDaemon(true);
        return t;
      });
      long t0 = System.nanoTime();
      Instant deadline = Instant.now().plus(maxTime);
      List<DeviceResult> results = new ArrayList<>();
      List<PartnerResult> partners = new ArrayList<>();
      List<Round> rounds = new ArrayList<>();
      int skipped = 0;
      try {
        for (int from = 1; from <= devices; from += batch) {
          int to = Math.min(devices, from + batch - 1);
          if (Instant.now().isAfter(deadline)) {
            skipped = devices - from + 1;
            break;
          }
          // the fleet's batch
          Recorded[] recordings = new Recorded[to - from + 1];
          List<Callable<DeviceResult>> fleetBatch = new ArrayList<>();
          for (int k = from; k <= to; k++) {
            int index = k;
            Recorded recording = recordings[k - from] = new Recorded();
            fleetBatch.add(() -> device(index, service, certs, policy, tokens, deviceIds, "u" + index, recording));
          }
          long f0 = System.nanoTime();
          List<DeviceResult> fleetResults = runBatch(pool, fleetBatch, k -> new DeviceResult(k, false,
              "the device's thread failed", 0, 0, 0, 0, 0, 0, 0, 0));
          double fleetSeconds = (System.nanoTime() - f0) / 1e9;
          results.addAll(fleetResults);

          // their partners on swtpm alone: the same commands on copies of the same TPM states
          List<Callable<PartnerResult>> partnerBatch = new ArrayList<>();
          for (DeviceResult r : fleetResults) {
            if (r.ok()) {
              Baseline commands = baselineCommands(recordings[r.index() - from]);
              partnerBatch.add(() -> partner(r.index(), commands));
            }
          }
          long b0 = System.nanoTime();
          List<PartnerResult> partnerResults = runBatch(pool, partnerBatch, k -> new PartnerResult(-1, 0, 0, 1));
          double partnerSeconds = (System.nanoTime() - b0) / 1e9;
          partners.addAll(partnerResults);
          rounds.add(new Round((int) fleetResults.stream().filter(DeviceResult::ok).count(), fleetSeconds,
              partnerResults.size(), partnerSeconds));
          out.printf(Locale.ROOT, "  %d/%d devices and their partners (%.0f s)%n", to, devices,
              (System.nanoTime() - t0) / 1e9);
        }
      } finally {
        pool.shutdownNow();
      }
      double wallSeconds = (System.nanoTime() - t0) / 1e9;

      // the directory: one sync cycle, then every user's value checked
      long s0 = System.nanoTime();
      LabSync.Cycle cycle;
      try (LabSync sync = LabSync.manual(service, directory)) {
        cycle = sync.runOnce();
      }
      double syncMs = (System.nanoTime() - s0) / 1e6;
      int inDirectory = 0;
      for (DeviceResult r : results) {
        if (r.ok() && r.index() > 0 && !directory.keyCredentialLinks(dns.get(r.index() - 1)).isEmpty()) {
          inDirectory++;
        }
      }
      Report report = new Report(results, partners, rounds, wallSeconds, skipped, syncMs, cycle, inDirectory,
          service.registrations().size(), load0, load(), first);
      Files.writeString(dir.resolve("fleet.md"), report.markdown(), StandardCharsets.UTF_8);
      ImageIO.write(report.chart(), "png", dir.resolve("fleet.png").toFile());
      out.println(report.summary());
      out.println("report: " + dir.resolve("fleet.md") + " and " + dir.resolve("fleet.png"));
      return report.errors() == 0 ? 0 : 1;
    }
  }

  // ---- one device ------------------------------------------------------------------------------

  /** The TPM commands of a device (for the baseline). */
  static final class Recorded {
    final List<byte[]> commands = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> codes = Collections.synchronizedList(new ArrayList<>());
  }

  /** Times every command's send-to-answer on the transport; records the bytes when asked. */
  static final class TimingTransport implements TpmTransport {
    private final TpmTransport delegate;
    private final AtomicLong nanos;
    private final AtomicInteger count;
    private final Recorded recorded;

    TimingTransport(TpmTransport delegate, AtomicLong nanos, AtomicInteger count, Recorded recorded) {
      this.delegate = delegate;
      this.nanos = nanos;
      this.count = count;
      this.recorded = recorded;
    }

    @Override
    public byte[] transmit(byte[] command) throws KeytrustException {
      if (recorded != null) {
        recorded.commands.add(command.clone());
      }
      long t0 = System.nanoTime();
      try {
        byte[] response = delegate.transmit(command);
        if (recorded != null) {
          recorded.codes.add(ByteBuffer.wrap(response, 6, 4).getInt());
        }
        return response;
      } finally {
        nanos.addAndGet(System.nanoTime() - t0);
        count.incrementAndGet();
      }
    }

    @Override
    public String describe() {
      return delegate.describe();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** Times the registrations (the HTTPS POST and the key service's work). */
  record TimedEndpoint(KeyRegistrationEndpoint delegate, AtomicLong nanos) implements KeyRegistrationEndpoint {
    @Override
    public RegistrationReceipt register(KeyRegistration r) throws KeytrustException {
      long t0 = System.nanoTime();
      try {
        return delegate.register(r);
      } finally {
        nanos.addAndGet(System.nanoTime() - t0);
      }
    }

    @Override
    public void unregister(KeyRegistration r) throws KeytrustException {
      delegate.unregister(r);
    }

    @Override
    public String describe() {
      return delegate.describe();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private DeviceResult device(int index, LabKeyService service, LabCertificates certs, Path policy, List<Path> tokens,
      List<UUID> deviceIds, String name, Recorded recorded) {
    int user = Math.max(index, 1);
    String upn = "u" + user + LabMain.UPN_SUFFIX;
    Path home = dir.resolve("devices").resolve(name);
    Path tpmState = home.resolve("tpm");
    try {
      copyState(index, tpmState);
    } catch (IOException e) {
      return new DeviceResult(index, false, "cannot copy the device's TPM state: " + e.getMessage(), 0, 0, 0, 0, 0,
          0, 0, 0);
    }
    long t0 = System.nanoTime();
    Swtpm swtpm = null;
    double startMs = 0;
    double flowMs = 0;
    double cpuMs = 0;
    double stopMs = 0;
    AtomicLong wire = new AtomicLong();
    AtomicInteger commands = new AtomicInteger();
    AtomicLong http = new AtomicLong();
    String error = null;
    try {
      swtpm = startSwtpm(tpmState);
      startMs = (System.nanoTime() - t0) / 1e6;
      TpmUri uri = TpmUri.parse(swtpm.tpmUri());
      Path store = home.resolve("keys");
      Path state = home.resolve("state"); // made owner-only by the PIN history
      HelloKeysFactory keys = tpmUri -> {
        TpmTransport t = new TimingTransport(TpmTransports.open(tpmUri, TpmTransports.DEFAULT_IO_TIMEOUT), wire,
            commands, recorded);
        TpmSession session = TpmSession.open(t, true);
        return HelloKeys.of(new KeyContainerStore(store), new ClosingKeyProvider(new TpmKeyProvider(session), session::close),
            session.describe());
      };
      try (KeyRegistrationEndpoint endpoint = new TimedEndpoint(KeyRegistrationEndpoints.open(
          drsUri(service), new EndpointSettings(Map.of("token-file", tokens.get(user - 1).toString(),
              "ca-file", certs.caFile().toString()))), http)) {
        ProvisioningFlow flow = ProvisioningFlow.builder()
            .store(new KeyContainerStore(store))
            .keys(keys)
            .tpm(uri)
            .algorithm(KeyAlgorithm.RSA_2048)
            .policies(new PolicyResolver(policy))
            .device(device(upn, deviceIds.get(user - 1)))
            .mfa(Unattended.instantMfa("fleet"))
            .pins(Unattended.pin(PIN))
            .pinHistories(u -> PinHistory.forUser(state, u, CHEAP, Clock.systemUTC()))
            .endpoint(endpoint)
            .build();
        long f0 = System.nanoTime();
        ProvisioningResult r = flow.run(upn);
        flowMs = (System.nanoTime() - f0) / 1e6;
        if (r.outcome() != ProvisioningResult.Outcome.PROVISIONED) {
          error = "the flow ended " + r.outcome();
        }
      }
      cpuMs = ProcessHandle.of(swtpm.pid()).flatMap(p -> p.info().totalCpuDuration())
          .map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
    } catch (Exception e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    } finally {
      if (swtpm != null) {
        long s0 = System.nanoTime();
        stopSwtpm(swtpm);
        stopMs = (System.nanoTime() - s0) / 1e6;
      }
    }
    return new DeviceResult(index, error == null, error, (System.nanoTime() - t0) / 1e6, startMs, flowMs,
        wire.get() / 1e6, http.get() / 1e6, cpuMs, stopMs, commands.get());
  }

  private static java.net.URI drsUri(LabKeyService service) {
    return java.net.URI.create(service.baseUri() + LabKeyService.KEY_PATH);
  }

  static DeviceContext device(String upn, UUID deviceId) {
    UUID tenant = UUID.nameUUIDFromBytes("keytrust.lab tenant".getBytes(StandardCharsets.UTF_8));
    UserIdentity user = new UserIdentity(Optional.of(upn), Optional.of(upn), Optional.of(upn),
        List.of("Domain Users"), new dev.keytrust.agent.prereq.TokenClaims(Map.of("amr", List.of("pwd"),
            "deviceid", List.of(deviceId.toString()), "tid", List.of(tenant.toString()))));
    return DeviceContext.builder()
        .joinState(JoinState.HYBRID_JOINED)
        .deviceId(deviceId.toString())
        .tenantId(tenant.toString())
        .verifiedDomains(List.of("keytrust.lab"))
        .user(user)
        .session(SessionInfo.local("fleet"))
        .tpm(TpmState.present(TpmVersion.TPM_2_0, true, false))
        .build();
  }

  // ---- swtpm alone -----------------------------------------------------------------------------

  /**
   * What a fleet device's partner sends: the device's recorded commands (a command answered
   * TPM_RC_RETRY once, as keytrust sent it again), in order, with the response code each got, for
   * a swtpm started from a copy of the same TPM state. The salted TPM2_StartAuthSession is sent as
   * recorded (the same SRK decrypts its salt) and so is the FlushContext of a session; a
   * TPM2_Create that ran in the salted HMAC session becomes a password-session TPM2_Create of the
   * same template (the RSA key's for the first, the sealed object's for the others), answered 0.
   * Commands that need a loaded object or a session's HMAC (Load, Unseal, Sign; none in a
   * provisioning) and the FlushContext of an object are left out.
   */
  static Baseline baselineCommands(Recorded recorded) {
    List<byte[]> out = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    int creates = 0;
    for (int i = 0; i < recorded.commands.size(); i++) {
      byte[] c = recorded.commands.get(i);
      int rc = recorded.codes.get(i);
      int code = ByteBuffer.wrap(c, 6, 4).getInt();
      if (rc == 0x922) {
        continue; // TPM_RC_RETRY: sent again, recorded again
      }
      switch (code) {
        case 0x165 -> { // FlushContext: a session's as recorded (the session was started), an object's not
          int handle = ByteBuffer.wrap(c, 10, 4).getInt();
          int type = handle >>> 24;
          if (type == 0x02 || type == 0x03) {
            out.add(c);
            codes.add(rc);
          }
        }
        case 0x153 -> { // TPM2_Create, in a salted session: the same template with a password session
          byte[] template = creates++ == 0 ? TpmTemplates.userKey(TpmKeyType.RSA_2048) : TpmTemplates.sealedData();
          out.add(passwordCreate(TpmKeyType.RSA_2048.srkHandle(), template, creates > 1 ? 32 : 0));
          codes.add(0);
        }
        case 0x157, 0x15E, 0x15D -> { } // Load, Unseal, Sign in sessions: none in a provisioning
        default -> { // no session, a password session (CreatePrimary, EvictControl), StartAuthSession: as recorded
          out.add(c);
          codes.add(rc);
        }
      }
    }
    return new Baseline(out, codes);
  }

  /** The baseline's commands and the response code each got in the recording (0 for the substitutes). */
  record Baseline(List<byte[]> commands, List<Integer> codes) {}

  /** TPM2_Create under {@code parent} with an empty password session, a 32-byte auth value and {@code data} bytes. */
  static byte[] passwordCreate(int parent, byte[] template, int dataLength) {
    ByteArrayOutputStream params = new ByteArrayOutputStream();
    byte[] auth = new byte[32];
    Arrays.fill(auth, (byte) 0x5A);
    ByteBuffer sensitive = ByteBuffer.allocate(2 + 32 + 2 + dataLength);
    sensitive.putShort((short) 32).put(auth).putShort((short) dataLength).put(new byte[dataLength]);
    writeSized(params, sensitive.array());
    writeSized(params, template);
    params.writeBytes(new byte[] {0, 0}); // outsideInfo
    params.writeBytes(new byte[] {0, 0, 0, 0}); // creationPCR: none
    byte[] p = params.toByteArray();
    byte[] session = {0x40, 0x00, 0x00, 0x09, 0, 0, 0, 0, 0}; // TPM_RS_PW, no nonce, no attributes, no HMAC
    ByteBuffer b = ByteBuffer.allocate(10 + 4 + 4 + session.length + p.length);
    b.putShort((short) 0x8002).putInt(b.capacity()).putInt(0x153).putInt(parent).putInt(session.length).put(session)
        .put(p);
    return b.array();
  }

  private static void writeSized(ByteArrayOutputStream out, byte[] b) {
    out.write(b.length >>> 8);
    out.write(b.length);
    out.writeBytes(b);
  }

  /** A fleet device's partner on swtpm alone: the device's index, its time, its swtpm's CPU, failed commands. */
  record PartnerResult(int index, double totalMs, double swtpmCpuMs, int failures) {}

  /** One batch of fleet devices and the batch of their partners: devices done and wall time of each. */
  record Round(int fleetDevices, double fleetSeconds, int partners, double partnerSeconds) {
    double ratio() {
      return (fleetDevices / fleetSeconds) / (partners / partnerSeconds);
    }
  }

  /** Runs the batch on the pool (at the fleet's concurrency) and waits for all of it. */
  private static <T> List<T> runBatch(ExecutorService pool, List<Callable<T>> batch, IntFunction<T> failed)
      throws InterruptedException {
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> task : batch) {
      futures.add(pool.submit(task));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      try {
        results.add(f.get());
      } catch (ExecutionException e) {
        results.add(failed.apply(-1));
      }
    }
    return results;
  }

  private Path manufacturedState(int index) {
    return dir.resolve("tpm-states").resolve(Integer.toString(index));
  }

  /**
   * Manufactures the TPM states 0..n-1: swtpm started once on an empty folder (libtpms makes the
   * seeds and writes {@value #STATE_FILE}) and stopped, {@code concurrency} at a time.
   */
  private void manufacture(int n) throws IOException, InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Callable<Void>> tasks = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        Path state = manufacturedState(k);
        tasks.add(() -> {
          Swtpm s = startSwtpm(state);
          try (RawTpm tpm = RawTpm.connect(s)) {
            tpm.transmit(GET_RANDOM_8); // answered: the TPM is initialised, so manufactured and written
          } finally {
            stopSwtpm(s);
          }
          if (!Files.isRegularFile(state.resolve(STATE_FILE))) {
            throw new IOException("swtpm wrote no " + STATE_FILE + " in " + state);
          }
          return null;
        });
      }
      for (Future<Void> f : pool.invokeAll(tasks)) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IOException("cannot manufacture a TPM state: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** TPM2_GetRandom of 8 bytes, without sessions. */
  static final byte[] GET_RANDOM_8 = {(byte) 0x80, 0x01, 0, 0, 0, 0x0C, 0, 0, 0x01, 0x7B, 0, 0x08};

  /** One connection to a swtpm's MS-simulator port: commands as bytes, answers as bytes, nothing else. */
  static final class RawTpm implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawTpm(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8192));
      this.out = socket.getOutputStream();
    }

    static RawTpm connect(Swtpm swtpm) throws IOException, KeytrustException {
      TpmUri uri = TpmUri.parse(swtpm.tpmUri());
      Socket socket = new Socket();
      try {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(uri.host(), uri.port()), 10_000);
        socket.setSoTimeout(120_000);
        return new RawTpm(socket);
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    }

    byte[] transmit(byte[] command) throws IOException {
      ByteBuffer frame = ByteBuffer.allocate(9 + command.length);
      frame.putInt(8).put((byte) 0).putInt(command.length).put(command); // TPM_SEND_COMMAND, locality 0
      out.write(frame.array());
      byte[] response = new byte[in.readInt()];
      in.readFully(response);
      in.readInt(); // the simulator's trailing status word
      return response;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Copies the manufactured state of device {@code index} into {@code tpmState}, a new folder. */
  private void copyState(int index, Path tpmState) throws IOException {
    Files.createDirectories(tpmState);
    Files.copy(manufacturedState(index).resolve(STATE_FILE), tpmState.resolve(STATE_FILE));
  }

  /**
   * Device {@code index}'s partner: a swtpm started from a copy of the device's TPM state, sent
   * {@code commands} as raw bytes on one connection (each answer's code compared with the
   * recorded one), stopped. Timed like a fleet device: from the swtpm's start to its stop.
   */
  private PartnerResult partner(int index, Baseline commands) {
    Path state = dir.resolve("swtpm-alone").resolve(Integer.toString(index));
    try {
      copyState(index, state);
    } catch (IOException e) {
      return new PartnerResult(index, 0, 0, 1);
    }
    int failures = 0;
    double cpuMs = 0;
    long t0 = System.nanoTime();
    Swtpm s = null;
    try {
      s = startSwtpm(state);
      try (RawTpm tpm = RawTpm.connect(s)) {
        for (int i = 0; i < commands.commands().size(); i++) {
          byte[] response = tpm.transmit(commands.commands().get(i));
          int rc = ByteBuffer.wrap(response, 6, 4).getInt();
          if (rc != commands.codes().get(i)) {
            failures++;
          }
        }
      }
      cpuMs = ProcessHandle.of(s.pid()).flatMap(p -> p.info().totalCpuDuration())
          .map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
    } catch (IOException | KeytrustException | RuntimeException e) {
      failures++;
    } finally {
      if (s != null) {
        stopSwtpm(s);
      }
    }
    return new PartnerResult(index, (System.nanoTime() - t0) / 1e6, cpuMs, failures);
  }

  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  // ---- the report ------------------------------------------------------------------------------

  final class Report {
    final List<DeviceResult> results;
    final List<PartnerResult> partners;
    final List<Round> rounds;
    final double wallSeconds;
    final int skipped;
    final double syncMs;
    final LabSync.Cycle cycle;
    final int inDirectory;
    final int registrations;
    final String load0;
    final String load1;
    final DeviceResult first;

    Report(List<DeviceResult> results, List<PartnerResult> partners, List<Round> rounds, double wallSeconds,
        int skipped, double syncMs, LabSync.Cycle cycle, int inDirectory, int registrations, String load0,
        String load1, DeviceResult first) {
      this.results = results;
      this.partners = partners;
      this.rounds = rounds;
      this.wallSeconds = wallSeconds;
      this.skipped = skipped;
      this.syncMs = syncMs;
      this.cycle = cycle;
      this.inDirectory = inDirectory;
      this.registrations = registrations;
      this.load0 = load0;
      this.load1 = load1;
      this.first = first;
    }

    List<DeviceResult> ok() {
      return results.stream().filter(DeviceResult::ok).toList();
    }

    int partnerFailures() {
      return partners.stream().mapToInt(PartnerResult::failures).sum();
    }

    /** Failed devices, devices whose key is not in the directory, and partners whose answers differed. */
    int errors() {
      return (int) results.stream().filter(r -> !r.ok()).count() + (ok().size() - inDirectory)
          + (int) partners.stream().filter(p -> p.failures() > 0).count();
    }

    double fleetSeconds() {
      return rounds.stream().mapToDouble(Round::fleetSeconds).sum();
    }

    double partnerSeconds() {
      return rounds.stream().mapToDouble(Round::partnerSeconds).sum();
    }

    double fleetPerMinute() {
      return ok().size() / fleetSeconds() * 60;
    }

    double baselinePerMinute() {
      return partners.size() / partnerSeconds() * 60;
    }

    double ratio() {
      return fleetPerMinute() / baselinePerMinute();
    }

    /**
     * The 5th and 95th percentiles of the whole run's ratio when its batch pairs are drawn again
     * with replacement (2000 draws, a fixed seed): how far the RSA prime searches and the load
     * could have moved the figure. NaN with fewer than two pairs.
     */
    double[] interval() {
      List<Round> pairs = rounds.stream().filter(r -> r.fleetDevices() > 0 && r.partners() > 0).toList();
      if (pairs.size() < 2) {
        return new double[] {Double.NaN, Double.NaN};
      }
      java.util.Random random = new java.util.Random(17);
      double[] draws = new double[2000];
      for (int i = 0; i < draws.length; i++) {
        double fleetDevices = 0;
        double fleetSeconds = 0;
        double partnerDevices = 0;
        double partnerSeconds = 0;
        for (int j = 0; j < pairs.size(); j++) {
          Round r = pairs.get(random.nextInt(pairs.size()));
          fleetDevices += r.fleetDevices();
          fleetSeconds += r.fleetSeconds();
          partnerDevices += r.partners();
          partnerSeconds += r.partnerSeconds();
        }
        draws[i] = (fleetDevices / fleetSeconds) / (partnerDevices / partnerSeconds);
      }
      Arrays.sort(draws);
      return new double[] {draws[draws.length / 20], draws[draws.length - 1 - draws.length / 20]};
    }

    /** The ratio of each batch pair, sorted. */
    double[] roundRatios() {
      return rounds.stream().filter(r -> r.fleetDevices() > 0 && r.partners() > 0).mapToDouble(Round::ratio)
          .sorted().toArray();
    }

    double[] sorted(java.util.function.ToDoubleFunction<DeviceResult> f) {
      return ok().stream().mapToDouble(f).sorted().toArray();
    }

    double pct(double[] s, double p) {
      if (s.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.ceil(p / 100 * s.length) - 1;
      return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    double mean(java.util.function.ToDoubleFunction<DeviceResult> f) {
      return ok().stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    String summary() {
      return String.format(Locale.ROOT, "fleet: %d/%d devices in %.1f s: %.1f devices/min; swtpm alone %.1f/min;"
          + " ratio %.2f (goal >= 0.8); errors %d", ok().size(), devices, fleetSeconds(), fleetPerMinute(),
          baselinePerMinute(), ratio(), errors());
    }

    String markdown() {
      double[] lat = sorted(DeviceResult::flowMs);
      double[] rr = roundRatios();
      double[] total = sorted(DeviceResult::totalMs);
      StringBuilder md = new StringBuilder();
      md.append("## Fleet: `keytrust lab fleet --devices ").append(devices).append(" --concurrency ")
          .append(concurrency).append("`\n\n")
          .append("Each device its own swtpm (started for it, stopped by pid), key store, user and device id; RSA-2048")
          .append(" TPM keys registered over HTTPS with the lab's DRS-style key service; MFA instant. Load average ")
          .append(load0).append(" at the start, ").append(load1).append(" at the end; ")
          .append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n")
          .append("Against swtpm alone, pair by pair: every fleet device has a partner that sends the same TPM")
          .append(" commands to a swtpm of its own without keytrust, starting from a copy of the same manufactured")
          .append(" TPM state (so the SRK's TPM2_CreatePrimary makes the same RSA key with the same prime search on")
          .append(" both sides; the commands that ran in salted HMAC sessions become password-session TPM2_Create of")
          .append(" the same templates). Fleet devices and partners run in alternating batches of ").append(batch)
          .append(" at concurrency ").append(concurrency).append(", the same number on each side, so load drift")
          .append(" weighs on both; each side's throughput is its devices over the sum of its batches' wall times.")
          .append(" The user key's TPM2_Create draws new primes on each side: that variance stays, and the ratio of")
          .append(" each batch pair and the bootstrap interval over the pairs show it.\n\n")
          .append("![fleet](fleet.png)\n\n")
          .append("| What | Value |\n|---|---|\n")
          .append(row("devices provisioned", ok().size() + " of " + devices
              + (skipped > 0 ? " (" + skipped + " not started: --max-time)" : "")))
          .append(row("errors", errors() + (errors() > 0 ? ": " + results.stream().filter(r -> !r.ok())
              .map(DeviceResult::error).distinct().limit(3).toList() : "")))
          .append(row("registrations at the key service", registrations + " (the warm-up device's included)"))
          .append(row("keys in the directory after one sync cycle", inDirectory + " of " + ok().size() + " (cycle: "
              + cycle.added() + " added, " + fmt(syncMs) + " ms)"))
          .append(row("fleet time (the sum of its batches)", fmt(fleetSeconds()) + " s (the whole run with the"
              + " swtpm-alone batches: " + fmt(wallSeconds) + " s)"))
          .append(row("**devices per minute**", "**" + fmt(fleetPerMinute()) + "**"))
          .append(row("swtpm alone, same TPM commands, same concurrency", fmt(baselinePerMinute())
              + " devices/min (" + partners.size() + " partners, each a fleet device's commands on a copy of its TPM"
              + " state, " + fmt(partnerSeconds()) + " s; " + partnerFailures() + " answers that differed from the"
              + " recording)"))
          .append(row("**fleet / swtpm alone** (goal ≥ 0.8)", "**" + String.format(Locale.ROOT, "%.2f", ratio()) + "**"))
          .append(row("fleet / swtpm alone per batch pair (" + rr.length + " pairs of " + batch + " devices)",
              "median " + ratioText(pct(rr, 50)) + ", " + ratioText(rr.length == 0 ? Double.NaN : rr[0]) + " .. "
                  + ratioText(rr.length == 0 ? Double.NaN : rr[rr.length - 1]) + "; the whole run's ratio with the"
                  + " batch pairs drawn again (bootstrap, 90 %): " + ratioText(interval()[0]) + " .. "
                  + ratioText(interval()[1])))
          .append(row("mean device, swtpm start to stop: fleet / swtpm alone", fmt(mean(DeviceResult::totalMs))
              + " / " + fmt(partners.stream().mapToDouble(PartnerResult::totalMs).average().orElse(Double.NaN))
              + " ms"))
          .append(row("provisioning latency (`ProvisioningFlow.run`) p50 / p95 / p99", fmt(pct(lat, 50)) + " / "
              + fmt(pct(lat, 95)) + " / " + fmt(pct(lat, 99)) + " ms"))
          .append(row("whole device (swtpm start, flow, swtpm stop) p50 / p95 / p99", fmt(pct(total, 50)) + " / "
              + fmt(pct(total, 95)) + " / " + fmt(pct(total, 99)) + " ms"))
          .append("\n### Where the time goes (mean per device)\n\n| Part | ms | share of the device |\n|---|---|---|\n");
      double t = mean(DeviceResult::totalMs);
      double tpm = mean(DeviceResult::tpmWireMs);
      double ks = mean(DeviceResult::keyServiceMs);
      double start = mean(DeviceResult::swtpmStartMs);
      double stop = mean(DeviceResult::swtpmStopMs);
      double rest = mean(DeviceResult::flowMs) - tpm - ks;
      md.append(part("swtpm start (process, state, ports)", start, t))
          .append(part("TPM commands on the wire (" + first.tpmCommands() + " per device)", tpm, t))
          .append(part("key service: HTTPS registration (TLS, the service's checks)", ks, t))
          .append(part("keytrust in the device's JVM (flow, sessions, files)", rest, t))
          .append(part("swtpm stop", stop, t))
          .append(part("the rest: the device's folders, the registration endpoint's set-up (CA file, TLS"
              + " context, HTTP client), swtpm's CPU time read", t - start - mean(DeviceResult::flowMs) - stop, t))
          .append("\nswtpm CPU per device: ").append(fmt(mean(DeviceResult::swtpmCpuMs))).append(" ms (fleet), ")
          .append(fmt(partners.stream().mapToDouble(PartnerResult::swtpmCpuMs).average().orElse(Double.NaN)))
          .append(" ms (swtpm alone). The directory: one sync")
          .append(" cycle for all devices took ").append(fmt(syncMs)).append(" ms.\n");
      return md.toString();
    }

    private String ratioText(double r) {
      return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f", r);
    }

    private String row(String a, String b) {
      return "| " + a + " | " + b + " |\n";
    }

    private String part(String what, double ms, double total) {
      return String.format(Locale.ROOT, "| %s | %s | %.0f %% |%n", what, fmt(ms), 100 * ms / total);
    }

    BufferedImage chart() {
      int w = 900;
      int h = 420;
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = img.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.drawString(String.format(Locale.ROOT, "keytrust lab fleet: %d devices, concurrency %d: %.1f/min (swtpm alone"
          + " %.1f/min, ratio %.2f)", devices, concurrency, fleetPerMinute(), baselinePerMinute(), ratio()), 20, 24);
      // left: latency of each device in completion order; right: the mean split of a device
      List<DeviceResult> ok = ok();
      int x0 = 60;
      int y0 = 360;
      int pw = 480;
      int ph = 300;
      double max = ok.stream().mapToDouble(DeviceResult::totalMs).max().orElse(1);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.drawLine(x0, y0, x0 + pw, y0);
      g.drawLine(x0, y0, x0, y0 - ph);
      g.drawString("device (in completion order)", x0 + 150, y0 + 30);
      g.drawString(fmt(max) + " ms", 5, y0 - ph + 4);
      g.drawString("0", x0 - 15, y0 + 4);
      for (int i = 0; i < ok.size(); i++) {
        DeviceResult r = ok.get(i);
        int x = x0 + (int) ((i + 0.5) * pw / Math.max(1, ok.size()));
        int bw = Math.max(1, pw / Math.max(1, ok.size()) - 1);
        double[] parts = {r.swtpmStartMs(), r.tpmWireMs(), r.keyServiceMs(),
            r.flowMs() - r.tpmWireMs() - r.keyServiceMs(), r.swtpmStopMs()};
        double y = y0;
        for (int p = 0; p < parts.length; p++) {
          double hgt = Math.max(0, parts[p]) / max * ph;
          g.setColor(PALETTE[p]);
          g.fillRect(x - bw / 2, (int) (y - hgt), bw, (int) Math.ceil(hgt));
          y -= hgt;
        }
      }
      String[] names = {"swtpm start", "TPM on the wire", "key service (HTTPS)", "keytrust (JVM)", "swtpm stop"};
      for (int p = 0; p < names.length; p++) {
        g.setColor(PALETTE[p]);
        g.fillRect(580, 70 + p * 24, 16, 16);
        g.setColor(Color.BLACK);
        g.drawString(names[p], 604, 83 + p * 24);
      }
      // throughput bars
      double[] bars = {fleetPerMinute(), baselinePerMinute()};
      String[] barNames = {"fleet", "swtpm alone"};
      double bmax = Math.max(bars[0], bars[1]);
      for (int b = 0; b < 2; b++) {
        int bx = 600 + b * 120;
        int bh = (int) (bars[b] / bmax * 160);
        g.setColor(b == 0 ? new Color(0x1f77b4) : new Color(0x999999));
        g.fillRect(bx, y0 - bh, 60, bh);
        g.setColor(Color.BLACK);
        g.drawString(barNames[b], bx, y0 + 16);
        g.drawString(fmt(bars[b]) + "/min", bx, y0 - bh - 4);
      }
      g.setStroke(new BasicStroke(1));
      g.dispose();
      return img;
    }
  }

  static final Color[] PALETTE = {new Color(0x8c564b), new Color(0xd62728), new Color(0x2ca02c), new Color(0x1f77b4),
      new Color(0x7f7f7f)};

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
  }
}
