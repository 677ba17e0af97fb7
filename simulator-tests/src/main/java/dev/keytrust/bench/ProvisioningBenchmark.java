package dev.keytrust.bench;

import dev.keytrust.agent.flow.HelloKeysFactory;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
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
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.lab.ClosingKeyProvider;
import dev.keytrust.lab.Unattended;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole provisioning flow ({@link ProvisioningFlow#run}) for one user on a swtpm of its own,
 * without waits: MFA succeeds at once, the PIN comes from a script, the PIN history uses the
 * cheapest Argon2id keytrust accepts, and the registration is one HTTP POST to a {@link
 * LoopbackKeyService} on 127.0.0.1. One operation is: policy, prerequisites, MFA, PIN rules, a new
 * TPM session (the leftovers check), the SRK check, TPM2_Create, the key store
 * write, the KeyCredentialLink, the registration and the journal. Each invocation gets a fresh key
 * store and state folder (made and removed outside the measured time).
 *
 * <p>{@link #flowTpmCommandsRaw} sends the TPM commands one such run sent without a session
 * (recorded in the set-up, TPM_RC_RETRY answers left out) again as bytes, without keytrust's stack and
 * without anything else of the flow. The session's commands (StartAuthSession, Create, Load,
 * Unseal, their flushes) cannot be replayed: each session has a fresh nonceTPM. So this is a floor
 * of the flow's commands without them ({@link SessionOverhead} measures what the sessions add). TPM2_Create of an RSA key varies by hundreds
 * of milliseconds (prime search), so {@code alg=p256} is the default; {@code -p alg=rsa2048} works.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {ForkOptions.SLF4J_NOP, ForkOptions.SLF4J_QUIET})
public class ProvisioningBenchmark {
  static final String USER = "alice@contoso.com";
  static final String DEVICE_ID = "4d6e1b2a-3c5f-4e7a-9b8c-1d2e3f405162";
  static final String TENANT = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
  /** A PIN the default rules accept. */
  static final String PIN = "Qx7#vR9!kz";
  /** The cheapest Argon2id keytrust accepts, for the PIN history: the flow is measured without PIN waits. */
  static final Argon2Parameters CHEAP = new Argon2Parameters(8, 1, 1);

  /** A swtpm, a key service on loopback, and per invocation a fresh store and flow. */
  @State(Scope.Benchmark)
  public static class FlowState extends SwtpmState {
    @Param({"p256"})
    public String alg;

    @Param({"tcp"})
    public String transport;

    private TpmUri uri;
    private LoopbackKeyService service;
    private LoopbackEndpoint endpoint;
    private Path root;
    private Path work;
    private ProvisioningFlow flow;
    private final List<CommandRecorder> recorders = new ArrayList<>();
    private boolean recording;
    private List<CommandRecorder.Exchange> flowCommands;
    private CommandRecorder raw;
    private int invocation;
    private int sessionCommands;

    @Override
    String transport() {
      return transport;
    }

    @Override
    void setUpState() throws IOException, KeytrustException {
      uri = TpmUri.parse(tpm.tpmUri());
      // the SRK exists before the first run, as on a device that has a Hello key already
      tpm.session().storageRootKey(KeyAlgorithm.fromId(alg).tpmKeyType());
      // the flow opens its own sessions: swtpm serves one client, so the fixture's goes now
      tpm.closeSession();
      service = LoopbackKeyService.start();
      endpoint = new LoopbackEndpoint(service.uri());
      root = tempDirectory("flow");
      // one recorded run: the TPM commands of a provisioning
      recording = true;
      newFlow();
      runFlow();
      recording = false;
      flowCommands = new ArrayList<>();
      for (CommandRecorder r : recorders) {
        // commands with sessions cannot be sent again (each session has a fresh nonceTPM), nor the
        // StartAuthSession (it would leave sessions loaded) and FlushContext (of handles that are gone)
        for (CommandRecorder.Exchange e : r.stopRecording()) {
          boolean sessions = ((e.command()[0] & 0xFF) << 8 | (e.command()[1] & 0xFF)) == 0x8002;
          if (!sessions && e.commandCode() != 0x176 && e.commandCode() != 0x165) {
            flowCommands.add(e);
          } else {
            sessionCommands++;
          }
        }
      }
      recorders.clear();
      endInvocation();
      raw = new CommandRecorder(TpmTransports.open(uri, TpmTransports.DEFAULT_IO_TIMEOUT));
      raw.replayChecked(flowCommands);
      StringBuilder codes = new StringBuilder();
      for (CommandRecorder.Exchange e : flowCommands) {
        codes.append(String.format(" %X", e.commandCode()));
      }
      System.out.println("provisioning sent " + (flowCommands.size() + sessionCommands) + " TPM commands; replayed "
          + "raw: the " + flowCommands.size() + " without a session (codes):" + codes);
      raw.close();
      raw = null;
    }

    /** The raw replay needs the connection the flow's sessions leave free between runs. */
    void openRaw() throws KeytrustException {
      if (raw == null) {
        raw = new CommandRecorder(TpmTransports.open(uri, TpmTransports.DEFAULT_IO_TIMEOUT));
      }
    }

    @Setup(Level.Invocation)
    public void newFlow() throws IOException, KeytrustException {
      invocation++;
      work = Files.createDirectories(root.resolve("run-" + invocation));
      Path store = work.resolve("keys");
      Path state = Files.createDirectories(work.resolve("state"));
      flow = ProvisioningFlow.builder()
          .store(new KeyContainerStore(store))
          .keys(keys(store))
          .tpm(uri)
          .algorithm(KeyAlgorithm.fromId(alg))
          .policies(new PolicyResolver(Files.createDirectories(work.resolve("policy"))))
          .device(device())
          .mfa(Unattended.instantMfa("bench"))
          .pins(Unattended.pin(PIN))
          .pinHistories(user -> PinHistory.forUser(state, user, CHEAP, Clock.systemUTC()))
          .endpoint(endpoint)
          .build();
    }

    @TearDown(Level.Invocation)
    public void endInvocation() throws IOException {
      BenchFiles.deleteRecursively(work);
    }

    ProvisioningResult runFlow() throws KeytrustException {
      ProvisioningResult r = flow.run(USER);
      if (r.outcome() != ProvisioningResult.Outcome.PROVISIONED) {
        throw new IllegalStateException("the flow ended " + r.outcome());
      }
      return r;
    }

    @Override
    void closeState() {
      if (raw != null) {
        raw.close();
      }
      if (service != null) {
        service.close();
      }
    }

    /** TPM keys through sessions on recording transports; each closed with its HelloKeys. */
    private HelloKeysFactory keys(Path store) {
      return tpmUri -> {
        CommandRecorder recorder = new CommandRecorder(TpmTransports.open(tpmUri, TpmTransports.DEFAULT_IO_TIMEOUT));
        if (recording) {
          recorder.startRecording();
          recorders.add(recorder);
        }
        TpmSession session = TpmSession.open(recorder, true);
        return HelloKeys.of(new KeyContainerStore(store), new ClosingKeyProvider(new TpmKeyProvider(session), session::close),
            session.describe());
      };
    }
  }

  /** The whole provisioning (see the class comment). */
  @Benchmark
  public ProvisioningResult flow(FlowState s) throws KeytrustException {
    return s.runFlow();
  }

  /** The TPM commands of one provisioning, as bytes, without TSS.Java or the rest of the flow. */
  @Benchmark
  public byte[] flowTpmCommandsRaw(FlowState s) throws KeytrustException {
    s.openRaw();
    byte[] last = null;
    for (CommandRecorder.Exchange e : s.flowCommands) {
      last = s.raw.raw(e.command());
    }
    return last;
  }

  /** Hybrid joined, the user signed in locally with an MFA token for this device, a TPM 2.0. */
  static DeviceContext device() {
    UserIdentity user = new UserIdentity(Optional.of(USER), Optional.of(USER), Optional.of(USER),
        List.of("Domain Users"), new TokenClaims(Map.of("amr", List.of("pwd", "mfa"),
            "deviceid", List.of(DEVICE_ID), "tid", List.of(TENANT))));
    return DeviceContext.builder()
        .joinState(JoinState.HYBRID_JOINED)
        .deviceId(DEVICE_ID)
        .tenantId(TENANT)
        .verifiedDomains(List.of("contoso.com"))
        .user(user)
        .session(SessionInfo.local("bench"))
        .tpm(TpmState.present(TpmVersion.TPM_2_0, true, false))
        .build();
  }
}
