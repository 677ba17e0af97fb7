package dev.keytrust.bench;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.flow.FlowListener;
import dev.keytrust.agent.flow.HelloKeysFactory;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.flow.StepOutcome;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.JoinState;
import dev.keytrust.agent.prereq.SessionInfo;
import dev.keytrust.agent.prereq.TokenClaims;
import dev.keytrust.agent.prereq.TpmState;
import dev.keytrust.agent.prereq.TpmVersion;
import dev.keytrust.agent.prereq.UserIdentity;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.lab.ClosingKeyProvider;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.Tpm2Tools;
import dev.keytrust.lab.Unattended;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.store.OwnerOnlyFiles;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTransport;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import tss.Tpm;
import tss.tpm.TPM2B_PRIVATE;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_TK_HASHCHECK;
import tss.tpm.TPMU_SIG_SCHEME;
import tss.tpm.TPM_HANDLE;

/**
 * Issue 17's goals that JMH cannot measure well, each as a ratio from one run, the two sides of
 * every ratio interleaved in one JVM in alternating blocks (the order reversed every other round),
 * so that the load of a shared machine hits both alike. Medians over the rounds; each ratio is
 * taken within a round, and its median and range are reported.
 *
 * <ol>
 *   <li><b>Goal 1, the flow against its floor.</b> {@code flow}: {@link ProvisioningFlow#run} of a
 *       new user (P-256, swtpm over TCP, its own key service on loopback) in a key store that
 *       exists, as on a device that has other users. The floor, measured beside it: the time the
 *       flow's TPM commands spent on the wire and in swtpm (every command's send-to-answer time,
 *       summed per flow on the transport: the TPM's side of each command, sessions included,
 *       without any of keytrust's own work), plus three atomic durable writes (temporary file,
 *       fsync, rename, fsync of the directory, in the same file system) for the three writes
 *       recovery needs (ProvisioningFlow's Javadoc), plus two new directories made durable (mkdir,
 *       fsync of the parent: a new user's record and key folders, without which the writes in them
 *       would not survive a power cut), plus one HTTP POST of the same registration to the same key
 *       service. Goal: flow ≤ 1.2 × floor. The rounds start after 300 untimed flows and as many of
 *       each floor part (20 in quick mode), so that they measure compiled code, as JMH's warm-up
 *       does; the JVM's first flow is reported beside them. Informational: the floor if the flow's
 *       unforced atomic writes (write and rename, measured beside) counted too. The flow's writes
 *       are counted too, and where its time
 *       goes: {@link StepTimes}, from the flow's step events (each step's duration, and the time
 *       between two steps, where the flow does work outside its steps), the mean over the measured
 *       rounds' flows, in wall time and in the flow thread's CPU time ({@code ThreadMXBean}; the
 *       listener runs on that thread), and the flow thread's CPU time per flow beside the flow's
 *       median (informational: keytrust's own work and its side of the system calls, without the
 *       HTTP client's threads, swtpm or the JIT compiler threads).
 *   <li><b>Goal 5, tpm2-tools.</b> The same TPM steps scripted as tpm2-tools processes against the
 *       same swtpm: two TPM2_GetCapability, TPM2_ReadPublic of the SRK, TPM2_Create of a P-256 key
 *       and TPM2_Create of a sealed object under it (the PIN history's secret), with auth values:
 *       five processes. Goal: tools ≥ 10 × flow.
 *   <li><b>Goal 2, the stack's overhead per command (commands without HMAC sessions).</b> Two
 *       swtpm processes: the stack on one, a raw client with a transport of its own (one socket
 *       write per command, buffered reads) on the other, sending the bytes the stack sent
 *       (recorded once; for TPM2_Sign, the raw side's own loaded key's command); halfway the two
 *       swap swtpms. (stack − raw) / commands per round. The goal (≤ 10 µs) reads the commands
 *       keytrust itself sends without an HMAC session, each a {@link TpmSession} call against its
 *       raw replay: TPM2_GetRandom ({@code getRandom}), TPM2_GetCapability of the
 *       dictionary-attack properties with keytrust's parsing ({@code dictionaryAttackState}),
 *       TPM2_ReadPublic of the SRK with its template check ({@code storageRootKey}). TPM2_Sign with
 *       a password session through TSS.Java on keytrust's transport is shown for information only:
 *       keytrust's own TPM2_Sign goes through its HMAC sessions ({@link SessionOverhead}).
 * </ol>
 *
 * <p>Usage: {@code java -cp keytrust-benchmarks.jar dev.keytrust.bench.IssueGoals OUT_DIR [--quick]}:
 * writes {@code OUT_DIR/issue-goals.md} and appends its goals to {@code OUT_DIR/goals.tsv} (read by
 * {@link BenchReport}). Work files go under {@code OUT_DIR/work} (the disk the results are on, not a
 * tmpfs), removed at the end. Nothing is asserted.
 */
public final class IssueGoals {
  /** The calling thread's CPU time, for every CPU figure here. */
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private IssueGoals() {}

  /** One line of goals.tsv: the goal, what was measured, the ratio, how it compares, whether it is met. */
  static String goalLine(String goal, String what, double ratio, String comparator, double target, String detail) {
    boolean met = comparator.equals("<=") ? ratio <= target : ratio >= target;
    return String.join("\t", goal, what, String.format(Locale.ROOT, "%.3g", ratio), comparator,
        String.format(Locale.ROOT, "%s", num(target)), met ? "met" : "not met", detail.replace('\t', ' ')) + "\n";
  }

  static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
  }

  static void appendGoals(Path dir, String lines) throws IOException {
    Files.writeString(dir.resolve("goals.tsv"), lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  public static void main(String[] args) throws Exception {
    boolean quick = Arrays.asList(args).contains("--quick");
    Path out = Path.of(Arrays.stream(args).filter(a -> !a.startsWith("--")).findFirst().orElse("."));
    Files.createDirectories(out);
    Path work = Files.createDirectories(out.resolve("work"));
    StringBuilder md = new StringBuilder();
    StringBuilder goals = new StringBuilder();
    md.append("## Issue 17: the flow against its floor, tpm2-tools, the stack per command\n\n")
        .append("Measured by `IssueGoals` (see its class comment): each pair interleaved in one JVM in alternating")
        .append(" blocks, the order reversed every other round; medians over the rounds, ratios taken within each")
        .append(" round (min .. max in parentheses). Load average at the start: ").append(load()).append(".\n\n");
    try {
      flowFloor(quick, work, md, goals);
    } catch (Exception e) {
      md.append("The flow measurement failed: ").append(e).append("\n\n");
      e.printStackTrace();
    }
    try {
      stackOverhead(quick, work, md, goals);
    } catch (Exception e) {
      md.append("The stack measurement failed: ").append(e).append("\n\n");
      e.printStackTrace();
    }
    md.append("Load average at the end: ").append(load()).append(".\n");
    BenchFiles.deleteRecursively(work);
    Files.writeString(out.resolve("issue-goals.md"), md.toString(), StandardCharsets.UTF_8);
    appendGoals(out, goals.toString());
    System.out.println(md);
  }

  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  // ---- goal 1 and 5 ---------------------------------------------------------------------------

  /** Sums the send-to-answer time of every command through it (the TPM's and the wire's share). */
  static final class TimingTransport implements TpmTransport {
    private final TpmTransport delegate;
    private final AtomicLong nanos;
    private final AtomicLong commands;

    TimingTransport(TpmTransport delegate, AtomicLong nanos, AtomicLong commands) {
      this.delegate = delegate;
      this.nanos = nanos;
      this.commands = commands;
    }

    @Override
    public byte[] transmit(byte[] command) throws KeytrustException {
      long t0 = System.nanoTime();
      try {
        return delegate.transmit(command);
      } finally {
        nanos.addAndGet(System.nanoTime() - t0);
        commands.incrementAndGet();
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

  /** The benchmark's loopback endpoint, remembering the last registration (for the HTTP floor). */
  static final class RememberingEndpoint implements KeyRegistrationEndpoint {
    final LoopbackEndpoint delegate;
    final AtomicReference<KeyRegistration> last = new AtomicReference<>();

    RememberingEndpoint(LoopbackEndpoint delegate) {
      this.delegate = delegate;
    }

    @Override
    public RegistrationReceipt register(KeyRegistration r) throws KeytrustException {
      last.set(r);
      return delegate.register(r);
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

  static DeviceContext device(String upn) {
    UserIdentity user = new UserIdentity(Optional.of(upn), Optional.of(upn), Optional.of(upn),
        List.of("Domain Users"), new TokenClaims(Map.of("amr", List.of("pwd", "mfa"),
            "deviceid", List.of(ProvisioningBenchmark.DEVICE_ID), "tid", List.of(ProvisioningBenchmark.TENANT))));
    return DeviceContext.builder()
        .joinState(JoinState.HYBRID_JOINED)
        .deviceId(ProvisioningBenchmark.DEVICE_ID)
        .tenantId(ProvisioningBenchmark.TENANT)
        .verifiedDomains(List.of("contoso.com"))
        .user(user)
        .session(SessionInfo.local("bench"))
        .tpm(TpmState.present(TpmVersion.TPM_2_0, true, false))
        .build();
  }

  /**
   * Where a flow's time goes, from its {@link dev.keytrust.agent.flow.StepEvent}s: each step from
   * its STARTED event to its end event, and the time before a step since the previous one ended
   * (or since {@link #flowStarted}), where the flow works outside its steps (the user lock, journal
   * writes, the PIN history); {@link #flowEnded} adds the time after the last step. Sums over the
   * flows since {@link #reset}.
   */
  static final class StepTimes implements FlowListener {
    final Map<String, Long> nanos = new LinkedHashMap<>();
    final Map<String, Long> cpuNanos = new LinkedHashMap<>();
    private long last;
    private long lastCpu;
    private String previous = "start";
    long flows;

    void reset() {
      nanos.clear();
      cpuNanos.clear();
      flows = 0;
    }

    void flowStarted() {
      last = System.nanoTime();
      lastCpu = THREADS.getCurrentThreadCpuTime();
      previous = "start";
    }

    void flowEnded() {
      add("after " + previous + ", to the end", System.nanoTime());
      flows++;
    }

    @Override
    public void onEvent(dev.keytrust.agent.flow.StepEvent e) {
      long now = System.nanoTime();
      if (e.outcome() == StepOutcome.STARTED) {
        add("between " + previous + " and " + e.step().id(), now);
      } else {
        add("step " + e.step().id(), now);
        previous = e.step().id();
      }
    }

    private void add(String part, long now) {
      long cpu = THREADS.getCurrentThreadCpuTime(); // the flow's thread: the listener runs on it
      nanos.merge(part, now - last, Long::sum);
      cpuNanos.merge(part, cpu - lastCpu, Long::sum);
      last = now;
      lastCpu = cpu;
    }

    /** Mean milliseconds per flow of each part, in the order the flow reached them. */
    Map<String, Double> meanMs() {
      return mean(nanos);
    }

    /** Mean milliseconds of the flow thread's CPU time per flow of each part. */
    Map<String, Double> meanCpuMs() {
      return mean(cpuNanos);
    }

    private Map<String, Double> mean(Map<String, Long> sums) {
      Map<String, Double> m = new LinkedHashMap<>();
      sums.forEach((k, v) -> m.put(k, flows == 0 ? 0 : v / 1e6 / flows));
      return m;
    }
  }


  /** What the flow does in each part {@link StepTimes} reports (P-256 on a TPM, a new user). */
  static String partHolds(String part) {
    return switch (part) {
      case "between start and policy" -> "the user lock (the new user's record directory: mkdir + forced parent),"
          + " reading the journal and the key store";
      case "step policy", "step prerequisites", "step mfa" -> "CPU only (MFA is instant in the benchmark)";
      case "between prerequisites and mfa" -> "journal STARTED (atomic write, not forced)";
      case "step pin" -> "the scripted PIN, the PIN rules";
      case "step key" -> "journal KEY_PENDING (forced write); the TPM connection (TPM2_GetCapability: transient objects, active sessions);"
          + " the salted session (ephemeral P-256 key pair + ECDH), TPM2_Create, TPM2_FlushContext; the key's"
          + " directory (mkdir + forced parent) and key file (forced write)";
      case "between key and credential" -> "the PIN history (Argon2id at its cheapest, atomic write, not forced)";
      case "step credential" -> "the KeyCredentialLink (CPU only)";
      case "between credential and register" -> "journal CREDENTIAL_BUILT (forced write)";
      case "step register" -> "the HTTP POST (the floor's POST is the same request on the same client)";
      case "step receipt" -> "the receipt (atomic write, not forced)";
      case "after receipt, to the end" -> "journal DONE (atomic write, not forced), the lock released";
      default -> "";
    };
  }

  @FunctionalInterface
  interface Op {
    void run() throws Exception;
  }

  private static void flowFloor(boolean quick, Path work, StringBuilder md, StringBuilder goals) throws Exception {
    int rounds = quick ? 5 : 15;
    int flowsPerRound = quick ? 3 : 5;
    Path dir = Files.createDirectories(work.resolve("flow"));
    try (Swtpm swtpm = Swtpm.startTcp(dir.resolve("tpm"));
        LoopbackKeyService service = LoopbackKeyService.start()) {
      TpmUri uri = TpmUri.parse(swtpm.tpmUri());
      try (TpmSession s = TpmSession.open(uri)) {
        s.storageRootKey(TpmKeyType.ECC_P256); // the SRK exists, as on a device that has a Hello key already
      }
      RememberingEndpoint endpoint = new RememberingEndpoint(new LoopbackEndpoint(service.uri()));
      Path storeRoot = dir.resolve("keys");
      Path state = Files.createDirectories(dir.resolve("state"));
      Path policy = Files.createDirectories(dir.resolve("policy"));
      AtomicLong wireNanos = new AtomicLong();
      AtomicLong wireCommands = new AtomicLong();
      List<CommandRecorder> recorders = new ArrayList<>();
      boolean[] recording = {false};
      HelloKeysFactory keys = tpmUri -> {
        TpmTransport t = new TimingTransport(TpmTransports.open(tpmUri, TpmTransports.DEFAULT_IO_TIMEOUT), wireNanos,
            wireCommands);
        if (recording[0]) {
          CommandRecorder r = new CommandRecorder(t);
          r.startRecording();
          recorders.add(r);
          t = r;
        }
        TpmSession session = TpmSession.open(t, true);
        return HelloKeys.of(new KeyContainerStore(storeRoot),
            new ClosingKeyProvider(new TpmKeyProvider(session), session::close), session.describe());
      };
      int[] user = {0};
      StepTimes steps = new StepTimes();
      Op flow = () -> {
        String upn = "u" + (++user[0]) + "@contoso.com";
        ProvisioningFlow f = ProvisioningFlow.builder()
            .store(new KeyContainerStore(storeRoot))
            .keys(keys)
            .tpm(uri)
            .algorithm(KeyAlgorithm.ECC_P256)
            .policies(new PolicyResolver(policy))
            .device(device(upn))
            .mfa(Unattended.instantMfa("bench"))
            .pins(Unattended.pin(ProvisioningBenchmark.PIN))
            .pinHistories(u -> PinHistory.forUser(state, u, ProvisioningBenchmark.CHEAP, Clock.systemUTC()))
            .endpoint(endpoint)
            .listener(steps)
            .build();
        steps.flowStarted();
        ProvisioningResult r = f.run(upn);
        steps.flowEnded();
        if (r.outcome() != ProvisioningResult.Outcome.PROVISIONED) {
          throw new IllegalStateException("the flow ended " + r.outcome());
        }
      };
      // a first flow (the store's directories and lock file appear; classes load), then one recorded
      long firstStart = System.nanoTime();
      flow.run();
      double firstFlowMs = (System.nanoTime() - firstStart) / 1e6;
      recording[0] = true;
      OwnerOnlyFiles.WriteCounts before = OwnerOnlyFiles.counts();
      long c0 = wireCommands.get();
      flow.run();
      OwnerOnlyFiles.WriteCounts writes = OwnerOnlyFiles.counts().minus(before);
      long commandsPerFlow = wireCommands.get() - c0;
      recording[0] = false;
      List<CommandRecorder.Exchange> recorded = new ArrayList<>();
      recorders.forEach(r -> recorded.addAll(r.stopRecording()));
      StringBuilder codes = new StringBuilder();
      List<CommandRecorder.Exchange> replayable = new ArrayList<>();
      for (CommandRecorder.Exchange e : recorded) {
        codes.append(String.format(" %X", e.commandCode()));
        boolean sessions = ((e.command()[0] & 0xFF) << 8 | (e.command()[1] & 0xFF)) == 0x8002;
        if (!sessions && e.commandCode() != 0x176 && e.commandCode() != 0x165) {
          replayable.add(e);
        }
      }

      // the floor's parts
      Path writeDir = Files.createDirectories(dir.resolve("writes"));
      byte[] record = new byte[600];
      new java.util.Random(1).nextBytes(record);
      OwnerOnlyFiles files = new OwnerOnlyFiles("bench", new OwnerOnlyFiles.Codes(
          dev.keytrust.error.CoreErrorCode.STORE_IO, dev.keytrust.error.CoreErrorCode.STORE_PERMISSIONS,
          dev.keytrust.error.CoreErrorCode.STORE_CORRUPT));
      Op write = () -> files.writeAtomically(writeDir, "journal", record, true);
      Op unforcedWrite =
          () -> files.writeAtomically(writeDir, "receipt", record, true, OwnerOnlyFiles.Durability.ATOMIC);
      int[] dirs = {0};
      Path mkdirParent = Files.createDirectories(dir.resolve("mkdirs"));
      Op mkdir = () -> files.ensureChildDirectory(mkdirParent.resolve("d" + (++dirs[0])));
      KeyRegistration registration = endpoint.last.get();
      Op post = () -> endpoint.delegate.register(registration);
      CommandRecorder[] raw = new CommandRecorder[1];
      Op rawTpm = () -> {
        if (raw[0] == null) {
          raw[0] = new CommandRecorder(TpmTransports.open(uri, TpmTransports.DEFAULT_IO_TIMEOUT));
        }
        for (CommandRecorder.Exchange e : replayable) {
          raw[0].raw(e.command());
        }
      };
      Runnable closeRaw = () -> {
        if (raw[0] != null) {
          raw[0].close();
          raw[0] = null;
        }
      };

      // goal 5: the same TPM steps as tpm2-tools processes, against the same swtpm
      Path toolsDir = Files.createDirectories(dir.resolve("tools"));
      Tpm2Tools tools = Tpm2Tools.available() ? new Tpm2Tools(swtpm, toolsDir) : null;
      String srk = String.format("0x%08X", TpmKeyType.ECC_P256.srkHandle());
      Path secret = toolsDir.resolve("secret.bin");
      Files.write(secret, new byte[32]);
      String auth = "hex:" + HexFormat.of().formatHex(new byte[32]).replace('0', '7');
      Op script = () -> {
        tools.run("tpm2_getcap", "properties-fixed");
        tools.run("tpm2_getcap", "properties-variable");
        tools.run("tpm2_readpublic", "-c", srk, "-Q");
        tools.run("tpm2_create", "-C", srk, "-G", "ecc256", "-p", auth, "-u", toolsDir.resolve("k.pub").toString(),
            "-r", toolsDir.resolve("k.priv").toString(), "-Q");
        tools.run("tpm2_create", "-C", srk, "-i", secret.toString(), "-p", auth, "-u",
            toolsDir.resolve("s.pub").toString(), "-r", toolsDir.resolve("s.priv").toString(), "-Q");
      };
      if (tools != null) {
        script.run(); // once untimed (and it fails here if a tool does)
      }

      double[] flowMs = new double[rounds];
      double[] wireMs = new double[rounds];
      double[] writeMs = new double[rounds];
      double[] mkdirMs = new double[rounds];
      double[] postMs = new double[rounds];
      double[] rawMs = new double[rounds];
      double[] toolsMs = new double[rounds];
      double[] flowCpuMs = new double[rounds];
      double[] unforcedMs = new double[rounds];
      int writes1 = quick ? 10 : 20;
      int posts1 = quick ? 10 : 20;
      // the JIT's warm-up: flows and the floor's parts, untimed, so that the rounds measure compiled
      // code (the flow thread's CPU per flow falls from 11-15 ms over the first 80 flows to 5-7 ms
      // after a few hundred); the first flow's time is reported beside, for a process that
      // provisions once
      int warmFlows = quick ? 20 : 300;
      long warmStart = System.nanoTime();
      for (int i = 0; i < warmFlows; i++) {
        flow.run();
        write.run();
        unforcedWrite.run();
        mkdir.run();
        post.run();
        if (i % 50 == 49) {
          System.out.printf("goal 1: %d of %d warm-up flows%n", i + 1, warmFlows);
        }
      }
      double warmSeconds = (System.nanoTime() - warmStart) / 1e9;
      for (int round = -1; round < rounds; round++) { // round -1: warm-up, not counted
        List<Runnable> order = new ArrayList<>();
        int r = round;
        double[] slot = new double[9];
        order.add(() -> {
          long cpu0 = THREADS.getCurrentThreadCpuTime();
          slot[0] = timeOp(flow, flowsPerRound, () -> { }, wireNanos, slot, 1);
          slot[7] = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6 / flowsPerRound;
        });
        order.add(() -> slot[2] = timeOp(write, writes1, () -> { }, null, null, 0));
        order.add(() -> slot[6] = timeOp(mkdir, writes1, () -> { }, null, null, 0));
        order.add(() -> slot[8] = timeOp(unforcedWrite, writes1, () -> { }, null, null, 0));
        order.add(() -> slot[3] = timeOp(post, posts1, () -> { }, null, null, 0));
        order.add(() -> slot[4] = timeOp(rawTpm, flowsPerRound, closeRaw, null, null, 0));
        if (tools != null) {
          order.add(() -> slot[5] = timeOp(script, 1, () -> { }, null, null, 0));
        }
        if ((round & 1) != 0) {
          java.util.Collections.reverse(order);
        }
        if (round == 0) {
          steps.reset(); // the step breakdown counts the measured rounds' flows only
        }
        order.forEach(Runnable::run);
        if (r >= 0) {
          flowMs[r] = slot[0];
          wireMs[r] = slot[1];
          writeMs[r] = slot[2];
          mkdirMs[r] = slot[6];
          postMs[r] = slot[3];
          rawMs[r] = slot[4];
          toolsMs[r] = slot[5];
          flowCpuMs[r] = slot[7];
          unforcedMs[r] = slot[8];
        }
      }
      double[] floor = new double[rounds];
      double[] ratio = new double[rounds];
      double[] toolsRatio = new double[rounds];
      int unforcedPerFlow = (int) (writes.atomicWrites() - writes.fileForces());
      double[] floorAll = new double[rounds];
      double[] ratioAll = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        floor[i] = wireMs[i] + 3 * writeMs[i] + 2 * mkdirMs[i] + postMs[i];
        ratio[i] = flowMs[i] / floor[i];
        floorAll[i] = floor[i] + unforcedPerFlow * unforcedMs[i];
        ratioAll[i] = flowMs[i] / floorAll[i];
        toolsRatio[i] = toolsMs[i] / flowMs[i];
      }
      md.append("### Goal 1: the provisioning flow against its floor (P-256, swtpm over TCP)\n\n")
          .append("A new user in a key store that exists; ").append(rounds).append(" rounds of ").append(flowsPerRound)
          .append(" flows, ").append(writes1).append(" durable writes, ").append(posts1).append(" HTTP POSTs, ")
          .append(flowsPerRound).append(" raw replays").append(tools != null ? " and one tpm2-tools script" : "")
          .append(" each, after ").append(warmFlows).append(" untimed flows and as many of each floor part (the JIT's")
          .append(" warm-up, ").append(String.format(Locale.ROOT, "%.0f", warmSeconds)).append(" s).\n\n")
          .append("| What | Median (min .. max) |\n|---|---|\n")
          .append("| flow (`ProvisioningFlow.run`) | ").append(range(flowMs, "ms")).append(" |\n")
          .append("| for comparison: this JVM's first flow (classes loading, nothing compiled; informational) | ")
          .append(String.format(Locale.ROOT, "%.0f ms", firstFlowMs)).append(" |\n")
          .append("| its thread's CPU time per flow (`ThreadMXBean`: keytrust's work and its side of every system call;")
          .append(" not the HTTP client's threads, swtpm or the JIT; informational) | ").append(range(flowCpuMs, "ms"))
          .append(" |\n")
          .append("| its TPM commands on the wire (").append(commandsPerFlow).append(" commands, send to answer, summed) | ")
          .append(range(wireMs, "ms")).append(" |\n")
          .append("| one atomic durable write (600 bytes: file fsync, rename, directory fsync) | ")
          .append(range(writeMs, "ms")).append(" |\n")
          .append("| one new directory made durable (mkdir, fsync of its parent): the new user's two directories | ")
          .append(range(mkdirMs, "ms")).append(" |\n")
          .append("| one HTTP POST of the registration (JDK HttpClient to the loopback key service) | ")
          .append(range(postMs, "ms")).append(" |\n")
          .append("| **floor** = wire + 3 × write + 2 × new directory + 1 × POST | ").append(range(floor, "ms")).append(" |\n")
          .append("| **flow / floor** (goal ≤ 1.2) | **").append(range(ratio, "")).append("** |\n")
          .append("| informational: one atomic write not forced (600 bytes: write, rename), as the flow's other ")
          .append(unforcedPerFlow).append(" writes | ").append(range(unforcedMs, "ms")).append(" |\n")
          .append("| informational: flow / (floor + ").append(unforcedPerFlow)
          .append(" × write not forced), the floor if every write the flow makes counted | ")
          .append(range(ratioAll, "")).append(" |\n")
          .append("| for comparison: the ").append(replayable.size()).append(" session-free commands replayed raw |")
          .append(range(rawMs, "ms")).append(" |\n\n")
          .append("Writes of one flow (counted, `OwnerOnlyFiles.counts()`): ").append(writes.atomicWrites())
          .append(" atomic writes, of which ").append(writes.fileForces()).append(" forced to disk (journal KEY_PENDING,")
          .append(" key file, journal CREDENTIAL_BUILT), and ").append(writes.directoryForces())
          .append(" directory forces (the three writes' directories, and the new user's two directories in their")
          .append(" parents). TPM commands of one flow (codes):").append(codes).append(".\n\n");
      md.append("Where the flow's time goes (its step events; mean over the ").append(steps.flows)
          .append(" measured flows, ms per flow, wall and the flow thread's CPU time; \"between\" is work the flow")
          .append(" does outside its steps):\n\n")
          .append("| Part | ms | CPU ms (its thread) | What it holds |\n|---|---|---|---|\n");
      double sum = 0;
      double cpuSum = 0;
      Map<String, Double> cpuParts = steps.meanCpuMs();
      for (Map.Entry<String, Double> e : steps.meanMs().entrySet()) {
        double cpu = cpuParts.getOrDefault(e.getKey(), 0.0);
        sum += e.getValue();
        cpuSum += cpu;
        md.append("| ").append(e.getKey()).append(" | ").append(String.format(Locale.ROOT, "%.2f", e.getValue()))
            .append(" | ").append(String.format(Locale.ROOT, "%.2f", cpu))
            .append(" | ").append(partHolds(e.getKey())).append(" |\n");
      }
      md.append("| all (mean; the table above gives the median) | ").append(String.format(Locale.ROOT, "%.2f", sum))
          .append(" | ").append(String.format(Locale.ROOT, "%.2f", cpuSum)).append(" | |\n\n");
      goals.append(goalLine("1", "flow / (its TPM commands on the wire + 3 durable writes + 2 durable new directories"
              + " + 1 HTTP POST)", median(ratio), "<=", 1.2, String.format(Locale.ROOT,
              "flow %.2f ms, floor %.2f ms (wire %.2f + 3 × %.3f + 2 × %.3f + %.2f); per flow %d atomic writes, %d "
                  + "forced, %d directory forces", median(flowMs), median(floor), median(wireMs), median(writeMs),
              median(mkdirMs), median(postMs), writes.atomicWrites(), writes.fileForces(),
              writes.directoryForces())));
      if (tools != null) {
        md.append("### Goal 5: the flow against the same TPM steps as tpm2-tools processes\n\n")
            .append("| What | Median (min .. max) |\n|---|---|\n")
            .append("| tpm2-tools: getcap ×2, readpublic, create (P-256 key), create (sealed object): 5 processes | ")
            .append(range(toolsMs, "ms")).append(" |\n")
            .append("| the whole flow, in process | ").append(range(flowMs, "ms")).append(" |\n")
            .append("| **tools / flow** (goal ≥ 10) | **").append(range(toolsRatio, "")).append("** |\n\n");
        goals.append(goalLine("5", "tpm2-tools processes for the flow's TPM steps / the whole flow in process",
            median(toolsRatio), ">=", 10, String.format(Locale.ROOT, "tools %.1f ms, flow %.2f ms", median(toolsMs),
                median(flowMs))));
      } else {
        md.append("Goal 5: tpm2-tools is not installed; not measured.\n\n");
      }
      closeRaw.run();
    }
  }

  /**
   * Mean milliseconds per call of {@code op} over {@code n} calls; {@code after} runs untimed. With
   * {@code wire}, also the wire time per call into {@code slot[index]}.
   */
  static double timeOp(Op op, int n, Runnable after, AtomicLong wire, double[] slot, int index) {
    try {
      long w0 = wire == null ? 0 : wire.get();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        op.run();
      }
      long t = System.nanoTime() - t0;
      if (wire != null) {
        slot[index] = (wire.get() - w0) / 1e6 / n;
      }
      after.run();
      return t / 1e6 / n;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static double median(double[] v) {
    return SessionOverhead.median(v);
  }

  static String range(double[] v, String unit) {
    double[] s = v.clone();
    Arrays.sort(s);
    String f = "%.3g";
    return String.format(Locale.ROOT, f + "%s (" + f + " .. " + f + ")", median(v), unit.isEmpty() ? "" : " " + unit,
        s[0], s[s.length - 1]);
  }

  // ---- goal 2 (commands without HMAC sessions) ----------------------------------------------

  /** The raw side: a socket of its own speaking the mssim protocol, one write per command, buffered reads. */
  static final class RawMssim implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawMssim(TpmUri uri) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(uri.host(), uri.port()), 10_000);
      socket.setSoTimeout(30_000);
      in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8192));
      out = socket.getOutputStream();
    }

    byte[] send(byte[] command) throws IOException {
      ByteBuffer frame = ByteBuffer.allocate(9 + command.length);
      frame.putInt(8).put((byte) 0).putInt(command.length).put(command);
      out.write(frame.array());
      byte[] response = new byte[in.readInt()];
      in.readFully(response);
      if (in.readInt() != 0) {
        throw new IOException("the simulator refused the command");
      }
      return response;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A P-256 key loaded on a swtpm through TSS.Java with a password session, and its TSS.Java. */
  record Loaded(Tpm tss, TPM_HANDLE handle, byte[] digest, TPMU_SIG_SCHEME scheme) {
    void sign() {
      tss.Sign(handle, digest, scheme, new TPMT_TK_HASHCHECK());
    }
  }

  static Loaded load(TpmSession session, CommandRecorder link, byte[] auth) throws Exception {
    LoadableKey key;
    try (SecretBuffer secret = SecretBuffer.copyOf(auth)) {
      key = session.createSigningKey(TpmKeyType.ECC_P256, secret).key();
    }
    Tpm tss = new Tpm();
    tss._setDevice(new RawTssDevice(link));
    TPM_HANDLE h = tss.Load(TPM_HANDLE.from(key.parentHandle()), TPM2B_PRIVATE.fromBytes(key.privateArea()),
        TPMT_PUBLIC.fromBytes(key.publicArea()));
    h.AuthValue = auth.clone();
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest("challenge".getBytes(StandardCharsets.UTF_8));
    return new Loaded(tss, h, digest, TpmKeyBenchmark.PasswordSign.scheme(key.publicArea()));
  }

  private static void stackOverhead(boolean quick, Path work, StringBuilder md, StringBuilder goals) throws Exception {
    int rounds = quick ? 6 : 20;
    int block = quick ? 50 : 200;
    Path dir = Files.createDirectories(work.resolve("stack"));
    String[] names = {"TPM2_GetRandom(32), no session: `TpmSession.getRandom`",
        "TPM2_GetCapability(DA properties), parsed: `TpmSession.dictionaryAttackState`",
        "TPM2_ReadPublic(SRK), parsed and checked against its template: `TpmSession.storageRootKey`",
        "TPM2_Sign, password session, key loaded: TSS.Java on keytrust's transport (TSS.Java, not on keytrust's path)"};
    boolean[] inGoal = {true, true, true, false};
    int sign = 3;
    double[][] perCommand = new double[names.length][];
    double[][] stackUs = new double[names.length][];
    double[][] rawUs = new double[names.length][];
    double[][] cpuPerCommand = new double[names.length][];
    double[][] cpuStackUs = new double[names.length][];
    double[][] cpuRawUs = new double[names.length][];
    int[] commands = new int[names.length];
    byte[] auth = new byte[32];
    new java.security.SecureRandom().nextBytes(auth);
    try (Swtpm a = Swtpm.startTcp(dir.resolve("a")); Swtpm b = Swtpm.startTcp(dir.resolve("b"))) {
      List<double[]>[] diffs = newLists(names.length);
      List<double[]>[] stacks = newLists(names.length);
      List<double[]>[] raws = newLists(names.length);
      List<double[]>[] cpuDiffs = newLists(names.length);
      List<double[]>[] cpuStacks = newLists(names.length);
      List<double[]>[] cpuRaws = newLists(names.length);
      for (int half = 0; half < 2; half++) {
        Swtpm stackTpm = half == 0 ? a : b;
        Swtpm rawTpm = half == 0 ? b : a;
        TpmUri rawUri = TpmUri.parse(rawTpm.tpmUri());
        // the raw side's key: made and loaded on its swtpm, one sign recorded, then the raw client connects
        byte[] rawSign;
        try (TpmSession rs = TpmSession.open(rawUri)) {
          rs.storageRootKey(TpmKeyType.ECC_P256);
        }
        CommandRecorder rawSetup = new CommandRecorder(TpmTransports.open(rawUri, TpmTransports.DEFAULT_IO_TIMEOUT));
        try (TpmSession rs = TpmSession.open(rawSetup, true)) {
          Loaded l = load(rs, rawSetup, auth);
          l.sign();
          rawSign = ((RawTssDevice) l.tss()._getDevice()).lastCommand();
        }
        CommandRecorder recorder = new CommandRecorder(
            TpmTransports.open(TpmUri.parse(stackTpm.tpmUri()), TpmTransports.DEFAULT_IO_TIMEOUT));
        try (TpmSession session = TpmSession.open(recorder, true);
            RawMssim raw = new RawMssim(rawUri)) {
          session.storageRootKey(TpmKeyType.ECC_P256);
          Loaded loaded = load(session, recorder, auth);
          Op[] stackOps = {() -> session.getRandom(32), session::dictionaryAttackState,
              () -> session.storageRootKey(TpmKeyType.ECC_P256), loaded::sign};
          Op[] ops = new Op[names.length * 2];
          for (int k = 0; k < names.length; k++) {
            recorder.startRecording();
            stackOps[k].run();
            List<CommandRecorder.Exchange> sent = recorder.stopRecording();
            List<byte[]> bytes = new ArrayList<>();
            if (k == sign) {
              bytes.add(rawSign); // TSS.Java sends through the recorder's raw path, which records nothing
            } else {
              sent.forEach(e -> bytes.add(e.command()));
            }
            commands[k] = bytes.size();
            ops[2 * k] = stackOps[k];
            ops[2 * k + 1] = () -> {
              for (byte[] c : bytes) {
                raw.send(c);
              }
            };
          }
          double[][][] t = interleavedWithCpu(ops, block, quick ? 2 : 5, rounds / 2);
          for (int k = 0; k < names.length; k++) {
            stacks[k].add(t[0][2 * k]);
            raws[k].add(t[0][2 * k + 1]);
            diffs[k].add(SessionOverhead.difference(t[0][2 * k], t[0][2 * k + 1], commands[k]));
            cpuStacks[k].add(t[1][2 * k]);
            cpuRaws[k].add(t[1][2 * k + 1]);
            cpuDiffs[k].add(SessionOverhead.difference(t[1][2 * k], t[1][2 * k + 1], commands[k]));
          }
          loaded.tss().FlushContext(loaded.handle());
        }
      }
      for (int k = 0; k < names.length; k++) {
        perCommand[k] = concat(diffs[k]);
        stackUs[k] = concat(stacks[k]);
        rawUs[k] = concat(raws[k]);
        cpuPerCommand[k] = concat(cpuDiffs[k]);
        cpuStackUs[k] = concat(cpuStacks[k]);
        cpuRawUs[k] = concat(cpuRaws[k]);
      }
    }
    md.append("### Goal 2: keytrust's TPM stack per command, without HMAC sessions\n\n")
        .append("The stack (keytrust's own marshalling, TSS.Java's in the Sign row; for `TpmSession` calls its lock,")
        .append(" retries and error mapping; over")
        .append(" keytrust's buffered `MssimTransport`) on one swtpm, the same commands through a raw client of its own")
        .append(" (one write per command, buffered reads) on another; the two swap swtpms halfway. Blocks of ").append(block)
        .append(", ").append(2 * (rounds / 2)).append(" rounds in all. The goal reads the first three rows: the")
        .append(" commands keytrust sends without an HMAC session, marshalled and parsed by keytrust itself, each a")
        .append(" `TpmSession` call (its lock, retries, error mapping and parsing of the answer) against its raw replay.")
        .append(" The last row is TSS.Java's password-session TPM2_Sign, for information: keytrust signs through its")
        .append(" HMAC sessions (SessionOverhead), not this way. Each side is timed twice per")
        .append(" block: wall time, and the calling thread's CPU time (user + system, `ThreadMXBean`), which the other")
        .append(" processes' load hardly changes (the stack's extra work is CPU work in the calling thread; both sides")
        .append(" wait for the same swtpm). The goal reads the CPU time; CPU instruction counters are not available in")
        .append(" this VM (`perf stat -e instructions`: not supported).\n\n")
        .append("| Command | stack, wall | raw, wall | (stack − raw) per command, wall | stack, CPU | raw, CPU |")
        .append(" **(stack − raw) per command, CPU** (goal ≤ 10 µs) |\n|---|---|---|---|---|---|---|\n");
    double worst = Double.NEGATIVE_INFINITY;
    StringBuilder detail = new StringBuilder();
    for (int k = 0; k < names.length; k++) {
      md.append("| ").append(names[k]).append(" | ").append(range(scale(stackUs[k], 1e-3), "µs")).append(" | ")
          .append(range(scale(rawUs[k], 1e-3), "µs")).append(" | ").append(range(scale(perCommand[k], 1e-3), "µs"))
          .append(" | ").append(range(scale(cpuStackUs[k], 1e-3), "µs")).append(" | ")
          .append(range(scale(cpuRawUs[k], 1e-3), "µs")).append(" | **")
          .append(range(scale(cpuPerCommand[k], 1e-3), "µs")).append("** |\n");
      double m = median(cpuPerCommand[k]) / 1e3;
      if (inGoal[k]) {
        worst = Math.max(worst, m);
      }
      detail.append(String.format(Locale.ROOT, "%s%s %.1f µs CPU (%.1f µs wall)%s", detail.length() == 0 ? "" : "; ",
          names[k].substring(0, names[k].indexOf(',') > 0 ? names[k].indexOf(',') : names[k].length()), m,
          median(perCommand[k]) / 1e3, inGoal[k] ? "" : " (TSS.Java, not on keytrust's path; not in the goal)"));
    }
    md.append("\n");
    goals.append(goalLine("2a", "TPM stack − raw, µs of CPU per command, without HMAC sessions (GetRandom;"
        + " GetCapability of the DA properties, parsed; ReadPublic of the SRK, parsed): the worse", worst, "<=", 10,
        detail.toString()));
  }

  /**
   * Runs {@code ops} in alternating blocks of {@code block} calls for {@code rounds} rounds (after
   * {@code warmup} rounds not counted; the order reversed every other round), timing each block
   * twice: {@code [0]} wall nanoseconds per call, {@code [1]} the calling thread's CPU nanoseconds
   * per call; {@code [x][op][round]}.
   */
  static double[][][] interleavedWithCpu(Op[] ops, int block, int warmup, int rounds) throws Exception {
    double[][][] out = new double[2][ops.length][rounds];
    for (int round = -warmup; round < rounds; round++) {
      for (int k = 0; k < ops.length; k++) {
        int o = (round & 1) == 0 ? k : ops.length - 1 - k;
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < block; i++) {
          ops[o].run();
        }
        long t = System.nanoTime() - t0;
        long c = THREADS.getCurrentThreadCpuTime() - c0;
        if (round >= 0) {
          out[0][o][round] = (double) t / block;
          out[1][o][round] = (double) c / block;
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<double[]>[] newLists(int n) {
    List<double[]>[] l = new List[n];
    for (int i = 0; i < n; i++) {
      l[i] = new ArrayList<>();
    }
    return l;
  }

  private static double[] concat(List<double[]> parts) {
    return parts.stream().flatMapToDouble(Arrays::stream).toArray();
  }

  private static double[] scale(double[] v, double f) {
    return Arrays.stream(v).map(x -> x * f).toArray();
  }

}
