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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * <p><b>Against what swtpm alone allows.</b> Beside the fleet (half of the devices before it, half
 * after, at the same concurrency) the same TPM work runs without keytrust: for each such device a
 * fresh swtpm is started, sent the fleet's first device's TPM commands that carry no session as
 * recorded (the SRK's TPM2_CreatePrimary and TPM2_EvictControl among them), and, for the commands
 * that went through salted HMAC sessions (not replayable: a session's nonces are new each time),
 * TPM2_Create of the same RSA key template and of the PIN history's sealed object with a password
 * session; then stopped. Devices per minute of the fleet / of that is the figure the issue's goal
 * (≥ 0.8) reads.
 *
 * <p>Bounded: no device starts after {@code --max-time} (default 10 min); devices not started are
 * reported. Every swtpm is stopped in a {@code finally} and by a shutdown hook.
 */
public final class LabFleet {
  static final String PIN = "Fleet#4821x";
  static final Argon2Parameters CHEAP = new Argon2Parameters(8, 1, 1);
  static final String USAGE =
      "Usage: keytrust lab fleet --devices N --concurrency C [--dir D] [--max-time DURATION] [--baseline K]\n"
          + "  Provisions N simulated devices (each its own swtpm and device id, users u1..uN) against the\n"
          + "  lab key service and directory, C at a time, then syncs the keys into the directory.\n"
          + "  Writes D/fleet.md and D/fleet.png: devices per minute, p50/p95/p99 latency, errors, where\n"
          + "  the time went, and the throughput of the same TPM work on swtpm alone at the same\n"
          + "  concurrency (K devices, default N/2 at least C, half before and half after the fleet).\n"
          + "  --max-time  no device starts after it (default 10m)\n";

  /** What one device took. */
  record DeviceResult(int index, boolean ok, String error, double totalMs, double swtpmStartMs, double flowMs,
      double tpmWireMs, double keyServiceMs, double swtpmCpuMs, double swtpmStopMs, int tpmCommands) {}

  private final Path dir;
  private final int devices;
  private final int concurrency;
  private final Duration maxTime;
  private final int baselineDevices;
  private final PrintStream out;
  private final List<Swtpm> running = Collections.synchronizedList(new ArrayList<>());

  private LabFleet(Path dir, int devices, int concurrency, Duration maxTime, int baselineDevices, PrintStream out) {
    this.dir = dir;
    this.devices = devices;
    this.concurrency = concurrency;
    this.maxTime = maxTime;
    this.baselineDevices = baselineDevices;
    this.out = out;
  }

  /** Runs {@code keytrust lab fleet ARGS}; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    int n = 0;
    int c = 0;
    Path d = null;
    Duration max = Duration.ofMinutes(10);
    int baseline = -1;
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
          case "--baseline" -> baseline = Integer.parseInt(v);
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
    if (n < 1 || c < 1 || n > 1000 || c > 64) {
      err.println("keytrust lab fleet: --devices (1..1000) and --concurrency (1..64) are required.");
      err.print(USAGE);
      return 2;
    }
    if (!Swtpm.available()) {
      err.println("keytrust lab fleet: " + Swtpm.MISSING_MESSAGE);
      return 1;
    }
    try {
      Path folder = d != null ? Files.createDirectories(d) : Files.createTempDirectory("keytrust-fleet-");
      LabFleet fleet = new LabFleet(folder, n, c, max, baseline >= 0 ? baseline : Math.max(c, n / 2), out);
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

      // a first device, recorded (not counted): the TPM commands the baseline sends
      Recorded recorded = new Recorded();
      DeviceResult first = device(0, service, certs, policy, tokens, deviceIds, "warm-up", recorded);
      if (!first.ok()) {
        out.println("the first device failed: " + first.error());
        return 1;
      }
      Baseline baselineCommands = baselineCommands(recorded);

      int before = baselineDevices / 2;
      out.println("swtpm alone, before: " + before + " devices at concurrency " + concurrency);
      Phase base1 = baseline(before, baselineCommands, "before");
      out.println("fleet: " + devices + " devices at concurrency " + concurrency);
      long t0 = System.nanoTime();
      Instant deadline = Instant.now().plus(maxTime);
      ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
        Thread t = new Thread(r, "fleet-device");
        t.setDaemon(true);
        return t;
      });
      List<Future<DeviceResult>> futures = new ArrayList<>();
      AtomicInteger done = new AtomicInteger();
      AtomicInteger skipped = new AtomicInteger();
      for (int k = 1; k <= devices; k++) {
        int index = k;
        futures.add(pool.submit(() -> {
          if (Instant.now().isAfter(deadline)) {
            skipped.incrementAndGet();
            return null;
          }
          DeviceResult r = device(index, service, certs, policy, tokens, deviceIds, "u" + index, null);
          int n = done.incrementAndGet();
          if (n % Math.max(1, devices / 10) == 0 || n == devices) {
            out.printf(Locale.ROOT, "  %d/%d devices (%.0f s)%n", n, devices, (System.nanoTime() - t0) / 1e9);
          }
          return r;
        }));
      }
      List<DeviceResult> results = new ArrayList<>();
      for (Future<DeviceResult> f : futures) {
        try {
          DeviceResult r = f.get();
          if (r != null) {
            results.add(r);
          }
        } catch (java.util.concurrent.ExecutionException e) {
          results.add(new DeviceResult(-1, false, String.valueOf(e.getCause()), 0, 0, 0, 0, 0, 0, 0, 0));
        }
      }
      pool.shutdown();
      double fleetSeconds = (System.nanoTime() - t0) / 1e9;
      Phase base2 = baseline(baselineDevices - before, baselineCommands, "after");

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
      Report report = new Report(results, fleetSeconds, skipped.get(), base1, base2, syncMs, cycle, inDirectory,
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
      Files.createDirectories(home);
      swtpm = startSwtpm(home.resolve("tpm"));
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
   * The baseline's commands: the recorded ones without a session (the session's own StartAuthSession
   * and FlushContext left out), and a password-session TPM2_Create for each recorded one that ran
   * in a session: the RSA key's template for the first, the sealed object's for the others.
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
        case 0x176, 0x165 -> { } // StartAuthSession, FlushContext: the sessions' own and their objects'
        case 0x153 -> { // TPM2_Create, in a salted session: the same template with a password session
          byte[] template = creates++ == 0 ? TpmTemplates.userKey(TpmKeyType.RSA_2048) : TpmTemplates.sealedData();
          out.add(passwordCreate(TpmKeyType.RSA_2048.srkHandle(), template, creates > 1 ? 32 : 0));
          codes.add(0);
        }
        case 0x157, 0x15E, 0x15D -> { } // Load, Unseal, Sign in sessions: none in a provisioning
        default -> { // no session, or a password session (CreatePrimary, EvictControl): as recorded
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

  record Phase(int devices, double seconds, double swtpmCpuMs, int failures) {}

  /** {@code n} baseline devices at the fleet's concurrency: fresh swtpm, the commands raw, stop. */
  private Phase baseline(int n, Baseline commands, String name) throws InterruptedException {
    if (n == 0) {
      return new Phase(0, 0, 0, 0);
    }
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    AtomicLong cpu = new AtomicLong();
    AtomicInteger failures = new AtomicInteger();
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      Path state = dir.resolve("baseline").resolve(name + "-" + k);
      fs.add(pool.submit(() -> {
        Swtpm s = startSwtpm(state);
        try {
          TpmUri uri = TpmUri.parse(s.tpmUri());
          try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.host(), uri.port()), 10_000);
            socket.setSoTimeout(120_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8192));
            OutputStream o = socket.getOutputStream();
            for (int i = 0; i < commands.commands().size(); i++) {
              byte[] c = commands.commands().get(i);
              ByteBuffer frame = ByteBuffer.allocate(9 + c.length);
              frame.putInt(8).put((byte) 0).putInt(c.length).put(c);
              o.write(frame.array());
              byte[] response = new byte[in.readInt()];
              in.readFully(response);
              in.readInt();
              int rc = ByteBuffer.wrap(response, 6, 4).getInt();
              if (rc != commands.codes().get(i)) {
                failures.incrementAndGet();
              }
            }
          }
          cpu.addAndGet(ProcessHandle.of(s.pid()).flatMap(p -> p.info().totalCpuDuration())
              .map(Duration::toNanos).orElse(0L));
        } catch (IOException e) {
          failures.incrementAndGet();
        } finally {
          stopSwtpm(s);
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        failures.incrementAndGet();
      }
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.MINUTES);
    return new Phase(n, (System.nanoTime() - t0) / 1e9, cpu.get() / 1e6 / n, failures.get());
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
    final double fleetSeconds;
    final int skipped;
    final Phase base1;
    final Phase base2;
    final double syncMs;
    final LabSync.Cycle cycle;
    final int inDirectory;
    final int registrations;
    final String load0;
    final String load1;
    final DeviceResult first;

    Report(List<DeviceResult> results, double fleetSeconds, int skipped, Phase base1, Phase base2, double syncMs,
        LabSync.Cycle cycle, int inDirectory, int registrations, String load0, String load1, DeviceResult first) {
      this.results = results;
      this.fleetSeconds = fleetSeconds;
      this.skipped = skipped;
      this.base1 = base1;
      this.base2 = base2;
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

    int errors() {
      return (int) results.stream().filter(r -> !r.ok()).count() + (ok().size() - inDirectory);
    }

    double fleetPerMinute() {
      return ok().size() / fleetSeconds * 60;
    }

    double baselinePerMinute() {
      int n = base1.devices() + base2.devices() - base1.failures() - base2.failures();
      return n / (base1.seconds() + base2.seconds()) * 60;
    }

    double ratio() {
      return fleetPerMinute() / baselinePerMinute();
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
          + " ratio %.2f (goal >= 0.8); errors %d", ok().size(), devices, fleetSeconds, fleetPerMinute(),
          baselinePerMinute(), ratio(), errors());
    }

    String markdown() {
      double[] lat = sorted(DeviceResult::flowMs);
      double[] total = sorted(DeviceResult::totalMs);
      StringBuilder md = new StringBuilder();
      md.append("## Fleet: `keytrust lab fleet --devices ").append(devices).append(" --concurrency ")
          .append(concurrency).append("`\n\n")
          .append("Each device its own swtpm (started for it, stopped by pid), key store, user and device id; RSA-2048")
          .append(" TPM keys registered over HTTPS with the lab's DRS-style key service; MFA instant. Load average ")
          .append(load0).append(" at the start, ").append(load1).append(" at the end; ")
          .append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n")
          .append("![fleet](fleet.png)\n\n")
          .append("| What | Value |\n|---|---|\n")
          .append(row("devices provisioned", ok().size() + " of " + devices
              + (skipped > 0 ? " (" + skipped + " not started: --max-time)" : "")))
          .append(row("errors", errors() + (errors() > 0 ? ": " + results.stream().filter(r -> !r.ok())
              .map(DeviceResult::error).distinct().limit(3).toList() : "")))
          .append(row("registrations at the key service", registrations + " (the warm-up device's included)"))
          .append(row("keys in the directory after one sync cycle", inDirectory + " of " + ok().size() + " (cycle: "
              + cycle.added() + " added, " + fmt(syncMs) + " ms)"))
          .append(row("fleet time", fmt(fleetSeconds) + " s"))
          .append(row("**devices per minute**", "**" + fmt(fleetPerMinute()) + "**"))
          .append(row("swtpm alone, same TPM work, same concurrency", fmt(baselinePerMinute()) + " devices/min ("
              + (base1.devices() + base2.devices()) + " devices, half before and half after the fleet; "
              + (base1.failures() + base2.failures()) + " failed commands)"))
          .append(row("**fleet / swtpm alone** (goal ≥ 0.8)", "**" + String.format(Locale.ROOT, "%.2f", ratio()) + "**"))
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
          .append("\nswtpm CPU per device: ").append(fmt(mean(DeviceResult::swtpmCpuMs))).append(" ms (fleet), ")
          .append(fmt((base1.swtpmCpuMs() * base1.devices() + base2.swtpmCpuMs() * base2.devices())
              / Math.max(1, base1.devices() + base2.devices()))).append(" ms (swtpm alone). The directory: one sync")
          .append(" cycle for all devices took ").append(fmt(syncMs)).append(" ms.\n");
      return md.toString();
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
