package dev.keytrust.agent.flow;

import dev.keytrust.agent.mfa.MfaChallenge;
import dev.keytrust.agent.mfa.MfaOutcome;
import dev.keytrust.agent.mfa.MfaProvider;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.pin.PinQuestion;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.JoinState;
import dev.keytrust.agent.prereq.SessionInfo;
import dev.keytrust.agent.prereq.TokenClaims;
import dev.keytrust.agent.prereq.TpmState;
import dev.keytrust.agent.prereq.TpmVersion;
import dev.keytrust.agent.prereq.UserIdentity;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.SoftwareKeyProvider;
import dev.keytrust.key.SoftwareLockoutPolicy;
import dev.keytrust.tpm.TpmUri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real parts for flow tests (also used by simulator-tests): a device context on which every
 * prerequisite passes, policy files, an MFA method that always succeeds (and counts), scripted
 * PINs (also for the PIN library's tests), cheap software keys, PIN histories at the lowest Argon2id
 * cost.
 */
public final class FlowTestKit {
  public static final String USER = "alice@contoso.com";
  public static final String DEVICE_ID = "4d6e1b2a-3c5f-4e7a-9b8c-1d2e3f405162";
  public static final String TENANT = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
  /** A PIN no default rule refuses; test PINs are unlikely byte patterns (see SecretsInLogsTest). */
  public static final String PIN = "Qx7#vR9!kz";
  public static final String PIN2 = "Wm4$tY8@pe";
  static final Argon2Parameters CHEAP = new Argon2Parameters(64, 1, 1);

  private FlowTestKit() {}

  /** Hybrid joined, alice signed in locally with an MFA token for this device, a usable TPM 2.0. */
  public static DeviceContext device() {
    UserIdentity alice = new UserIdentity(Optional.of(USER), Optional.of(USER), Optional.of(USER),
        List.of("Domain Users"), new TokenClaims(Map.of("amr", List.of("pwd", "mfa"),
            "deviceid", List.of(DEVICE_ID), "tid", List.of(TENANT))));
    return DeviceContext.builder()
        .joinState(JoinState.HYBRID_JOINED)
        .deviceId(DEVICE_ID)
        .tenantId(TENANT)
        .verifiedDomains(List.of("contoso.com"))
        .user(alice)
        .session(SessionInfo.local("test"))
        .tpm(TpmState.present(TpmVersion.TPM_2_0, true, false))
        .build();
  }

  /** A policy directory with {@code lines} as the computer's GPO file (none: every default). */
  public static PolicyResolver policy(Path dir, String... lines) throws IOException {
    if (lines.length > 0) {
      Path file = dir.resolve("computer/gpo.properties");
      Files.createDirectories(file.getParent());
      Files.writeString(file, String.join("\n", lines) + "\n");
    }
    return new PolicyResolver(dir);
  }

  /** An MFA method named {@code test} that succeeds at once and counts its challenges. */
  public static MfaRunner mfa(AtomicInteger challenges) {
    MfaProvider provider = new MfaProvider() {
      @Override
      public String name() {
        return "test";
      }

      @Override
      public MfaChallenge start(String user) {
        challenges.incrementAndGet();
        return MfaChallenge.finished("Nothing to do.", MfaOutcome.succeeded());
      }
    };
    return MfaRunner.builder(provider).maxAttempts(1).attemptTimeout(Duration.ofSeconds(5)).build();
  }

  /** Software keys at the lowest Argon2id cost; TPM URIs open the real TPM. */
  public static HelloKeysFactory keys(Path storeRoot) {
    return tpm -> {
      if (!tpm.isSoftware()) {
        return HelloKeys.open(tpm, storeRoot);
      }
      KeyContainerStore store = new KeyContainerStore(storeRoot);
      return HelloKeys.of(store, new SoftwareKeyProvider(store, CHEAP, Clock.systemUTC(),
          SoftwareLockoutPolicy.DEFAULT), "software");
    };
  }

  /** The flow over a store, with every collaborator of this kit and the recording endpoint. */
  public static ProvisioningFlow.Builder flow(Path storeRoot, Path work, TpmUri tpm, PinSource pins,
      RecordingEndpoint endpoint, AtomicInteger mfaChallenges) throws IOException {
    Path state = Files.createDirectories(work.resolve("state"));
    return ProvisioningFlow.builder()
        .store(new KeyContainerStore(storeRoot))
        .keys(keys(storeRoot))
        .tpm(tpm)
        .policies(new PolicyResolver(Files.createDirectories(work.resolve("policy"))))
        .device(device())
        .mfa(mfa(mfaChallenges))
        .pins(pins)
        .pinHistories(user -> PinHistory.forUser(state, user, CHEAP, Clock.systemUTC()))
        .endpoint(endpoint);
  }

  /** Answers PIN questions from a script, like a person at a terminal (or stdin, one-shot). */
  public static class ScriptedPins implements PinSource {
    private final Deque<String> answers = new ArrayDeque<>();
    private final List<PinQuestion> asked = new ArrayList<>();
    private final List<String> told = new ArrayList<>();
    private final boolean interactive;
    private final List<char[]> handedOut = new ArrayList<>();

    public ScriptedPins(boolean interactive, String... answers) {
      this.interactive = interactive;
      this.answers.addAll(List.of(answers));
    }

    /** A terminal that types {@code current} when asked the current PIN and {@code fresh} otherwise. */
    public static ScriptedPins byQuestion(String current, String fresh) {
      ScriptedPins p = new ScriptedPins(true) {
        @Override
        public char[] read(PinQuestion question) {
          super.answers.addFirst(question == PinQuestion.CURRENT ? current : fresh);
          return super.read(question);
        }
      };
      return p;
    }

    /** A terminal that types {@code pin} for every question. */
    public static ScriptedPins always(String pin) {
      ScriptedPins p = new ScriptedPins(true);
      for (int i = 0; i < 20; i++) {
        p.answers.add(pin);
      }
      return p;
    }

    @Override
    public char[] read(PinQuestion question) {
      asked.add(question);
      String a = answers.poll();
      if (a == null) {
        return null;
      }
      char[] pin = a.toCharArray();
      handedOut.add(pin);
      return pin;
    }

    @Override
    public void tell(String message) {
      told.add(message);
    }

    @Override
    public boolean interactive() {
      return interactive;
    }

    public List<PinQuestion> asked() {
      return List.copyOf(asked);
    }

    public List<String> told() {
      return List.copyOf(told);
    }

    /** Every array handed out, in order (the caller owns and clears them). */
    public List<char[]> handedOut() {
      return List.copyOf(handedOut);
    }

    /** True when every array handed out has been cleared by whoever took it. */
    public boolean allCleared() {
      return handedOut.stream().allMatch(a -> new String(a).chars().allMatch(c -> c == 0));
    }
  }
}
