package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.mfa.MfaFreshness;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.mfa.PushMfaProvider;
import dev.keytrust.agent.mfa.PushSettings;
import dev.keytrust.agent.pin.PinQuestion;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.lab.Lab;
import dev.keytrust.secret.Pin;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an endpoint agent does with several users at once, on one swtpm (which serves one client
 * connection at a time) against the lab key service with push MFA: two threads provision two users
 * at the same moment, then sign for them at the same moment (each with its own {@link HelloKeys},
 * both open together, and both through one shared instance), and a second run for a user whose run
 * is in progress. The two threads meet at barriers, so the runs overlap by construction, not by
 * timing. Before sessions on one simulator shared a connection, the second {@code HelloKeys} open
 * waited for the first to close and failed after 10 s (TPM_UNREACHABLE, which the flow answers
 * with a software key where policy allows one).
 */
class ConcurrentUsersOnOneSwtpmTest {
  private static final int SIGNATURES = 8;

  @TempDir static Path tmp;
  static Lab lab;
  static TpmUri tpm;
  static Path store;
  static Path state;
  static Path policy;

  @BeforeAll
  static void startLab() throws Exception {
    lab = Lab.start(new Lab.Options(tmp.resolve("lab"), Duration.ofHours(1), Duration.ofMillis(200), true, false),
        new PrintStream(PrintStream.nullOutputStream()));
    assertThat(lab.swtpm()).as("swtpm (CI installs it)").isPresent();
    tpm = TpmUri.parse(lab.tpmUri());
    store = tmp.resolve("agent/keys");
    state = tmp.resolve("agent/state");
    // software keys allowed: a TPM that could not be opened would show as a software key
    policy = LabAgentFiles.policy(tmp.resolve("agent/policy"), false);
  }

  @AfterAll
  static void stopLab() {
    if (lab != null) {
      lab.close(); // stops swtpm by its pid
    }
  }

  @Test
  void twoThreadsProvisionAndSignForDifferentUsersAtOnceOnOneSwtpm() throws Exception {
    List<Lab.User> users = List.of(lab.user("alice@keytrust.lab"), lab.user("bob@keytrust.lab"));
    for (Lab.User user : users) { // the other test may have provisioned bob
      try (UserAgent agent = new UserAgent(user, PinSource0.of("unused"))) {
        agent.flow().reset(user.upn());
      }
    }
    CyclicBarrier together = new CyclicBarrier(users.size());

    List<ProvisioningResult> results = inParallel(together, users, user -> {
      try (UserAgent agent = new UserAgent(user, PinSource0.of("Para11el-" + user.upn().charAt(0)))) {
        together.await();
        return agent.flow().run(user.upn());
      }
    });
    for (ProvisioningResult r : results) {
      assertThat(r.outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
      assertThat(r.choice()).as("a TPM key, not a software one for want of a TPM")
          .hasValueSatisfying(c -> assertThat(c.provider()).isEqualTo(ProviderKind.TPM));
      assertThat(lab.keyService().registration(r.registered().get().registration().keyId())).isPresent();
    }

    // each thread its own HelloKeys, both open before either signs
    List<List<byte[]>> own = inParallel(together, users, user -> {
      try (HelloKeys keys = HelloKeys.open(tpm, store)) {
        together.await();
        return signMany(keys, user);
      }
    });
    // one HelloKeys for both threads
    List<List<byte[]>> shared;
    try (HelloKeys keys = HelloKeys.open(tpm, store)) {
      shared = inParallel(together, users, user -> {
        together.await();
        return signMany(keys, user);
      });
    }
    KeyContainerStore keys = new KeyContainerStore(store);
    for (int i = 0; i < users.size(); i++) {
      KeyContainer key = keys.load(users.get(i).upn());
      assertThat(key.provider()).isEqualTo(ProviderKind.TPM);
      for (int n = 0; n < SIGNATURES; n++) {
        assertThat(verifies(key, challenge(users.get(i), n), own.get(i).get(n))).isTrue();
        assertThat(verifies(key, challenge(users.get(i), n), shared.get(i).get(n))).isTrue();
      }
    }
  }

  @Test
  void aSecondRunForAUserWhoseRunIsInProgressFailsWithStoreBusy() throws Exception {
    Lab.User bob = lab.user("bob@keytrust.lab");
    // the first run waits in its PIN step (it holds the user's lock there) until the second has failed
    CountDownLatch inPinStep = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    PinSource waiting = new PinSource0(() -> {
      inPinStep.countDown();
      secondDone.await();
      return "Wait1ng-PIN".toCharArray();
    });
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (UserAgent first = new UserAgent(bob, waiting); UserAgent second = new UserAgent(bob, PinSource0.of("Other-PIN-1"))) {
      first.flow().reset(bob.upn()); // the other test may have provisioned bob
      Future<ProvisioningResult> run = pool.submit(() -> first.flow().run(bob.upn()));
      inPinStep.await();
      try {
        assertThatThrownBy(() -> second.flow().run(bob.upn()))
            .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_BUSY));
      } finally {
        secondDone.countDown();
      }
      assertThat(run.get().outcome()).isEqualTo(ProvisioningResult.Outcome.PROVISIONED);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One user's agent: the flow with that user's device context, push MFA and endpoint (its token). */
  private static final class UserAgent implements AutoCloseable {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ProvisioningFlow flow;

    UserAgent(Lab.User user, PinSource pins) throws Exception {
      PushMfaProvider push = new PushMfaProvider(PushSettings.of(lab.keyService().pushUri())
          .withTokenFile(user.tokenFile()).withCaFile(lab.caFile()).withPollInterval(Duration.ofMillis(100)));
      MfaRunner mfa = MfaRunner.builder(push).freshness(MfaFreshness.inDirectory(state)).build();
      open.add(mfa); // closes the provider
      KeyRegistrationEndpoint endpoint = KeyRegistrationEndpoints.open(lab.drsUri(), new EndpointSettings(
          Map.of("token-file", user.tokenFile().toString(), "ca-file", lab.caFile().toString())));
      open.add(endpoint);
      Path device = LabAgentFiles.device(tmp.resolve("agent/device-" + user.deviceId() + ".conf"), user);
      flow = ProvisioningFlow.builder()
          .store(new KeyContainerStore(store))
          .tpm(tpm)
          .algorithm(KeyAlgorithm.RSA_2048)
          .policies(new PolicyResolver(policy))
          .device(DeviceContextFile.read(device, RemoteSessionDetector.forThisProcess()))
          .mfa(mfa)
          .pins(pins)
          .stateDir(state)
          .endpoint(endpoint)
          .build();
    }

    ProvisioningFlow flow() {
      return flow;
    }

    @Override
    public void close() throws Exception {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  /** A PIN source answering every question (the PIN and its confirmation) with one PIN. */
  private record PinSource0(Callable<char[]> pin) implements PinSource {
    static PinSource0 of(String pin) {
      return new PinSource0(pin::toCharArray);
    }

    @Override
    public char[] read(PinQuestion question) throws AgentException {
      try {
        return pin.call();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AgentException(CoreErrorCode.INTERNAL, "interrupted", e);
      } catch (Exception e) {
        throw new AgentException(CoreErrorCode.INTERNAL, e.toString(), e);
      }
    }

    @Override
    public void tell(String message) {}

    @Override
    public boolean interactive() {
      return false;
    }
  }

  private static List<byte[]> signMany(HelloKeys keys, Lab.User user) throws KeytrustException {
    List<byte[]> out = new ArrayList<>();
    for (int n = 0; n < SIGNATURES; n++) {
      try (Pin pin = Pin.copyOf(("Para11el-" + user.upn().charAt(0)).toCharArray())) {
        out.add(keys.sign(user.upn(), challenge(user, n), pin));
      }
    }
    return out;
  }

  private static byte[] challenge(Lab.User user, int n) {
    return ("challenge " + n + " for " + user.upn()).getBytes(StandardCharsets.UTF_8);
  }

  private static boolean verifies(KeyContainer key, byte[] message, byte[] signature) throws Exception {
    Signature v = Signature.getInstance(key.algorithm().jcaSignatureAlgorithm());
    v.initVerify(key.publicKey());
    v.update(message);
    return v.verify(signature);
  }

  @FunctionalInterface
  private interface PerUser<T> {
    T run(Lab.User user) throws Exception;
  }

  /**
   * Runs {@code work} for every user on a thread of its own and returns the results in order. A
   * thread that fails breaks the barrier, so the others stop waiting for it.
   */
  private static <T> List<T> inParallel(CyclicBarrier barrier, List<Lab.User> users, PerUser<T> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(users.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Lab.User user : users) {
        futures.add(pool.submit(() -> {
          try {
            return work.run(user);
          } catch (Exception | Error e) {
            barrier.reset();
            throw e;
          }
        }));
      }
      List<T> results = new ArrayList<>();
      ExecutionException failure = null; // the first that is not just a broken barrier
      for (Future<T> f : futures) {
        try {
          results.add(f.get());
        } catch (ExecutionException e) {
          if (failure == null || failure.getCause() instanceof BrokenBarrierException) {
            failure = e;
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
