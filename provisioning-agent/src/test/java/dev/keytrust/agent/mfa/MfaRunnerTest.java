package dev.keytrust.agent.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.key.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MfaRunnerTest {
  private static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");

  @TempDir Path dir;

  /** Records listener calls as text. */
  static final class Events implements MfaListener {
    final List<String> seen = new ArrayList<>();

    @Override
    public void reused(String user, MfaCompletion completion) {
      seen.add("reused " + user + " " + completion.method());
    }

    @Override
    public void attemptStarted(MfaAttempt attempt, String instructions) {
      seen.add("start " + attempt.number() + "/" + attempt.maxAttempts() + " " + instructions);
    }

    @Override
    public void attemptEnded(MfaAttempt attempt, MfaOutcome outcome) {
      seen.add("end " + attempt.number() + " " + outcome.status());
    }
  }

  @Test
  void successOnTheFirstAttempt() throws Exception {
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.succeeded());
    MutableClock clock = new MutableClock(T0);
    MfaResult r = MfaRunner.builder(p).freshness(MfaFreshness.inMemory(Duration.ofMinutes(10), clock))
        .attemptTimeout(Duration.ofSeconds(45)).build().run("alice");
    assertThat(r).isEqualTo(new MfaResult("alice", new MfaCompletion("scripted", T0), false, 1));
    assertThat(p.timeouts).containsExactly(Duration.ofSeconds(45));
    assertThat(p.closedChallenges).isEqualTo(1);
  }

  @Test
  void failuresAreRetriedUpToTheLimitWithProgressReported() throws Exception {
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.denied("no"), MfaOutcome.timedOut("slow"),
        MfaOutcome.succeeded());
    Events events = new Events();
    List<String> asked = new ArrayList<>();
    MfaResult r = MfaRunner.builder(p).maxAttempts(3).listener(events)
        .retryPrompt((attempt, outcome) -> asked.add(attempt.number() + ":" + outcome.status() + ":"
            + attempt.attemptsLeft()))
        .build().run("bob");
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(r.reused()).isFalse();
    assertThat(asked).containsExactly("1:DENIED:2", "2:TIMED_OUT:1");
    assertThat(events.seen).containsExactly(
        "start 1/3 Do the scripted thing.", "end 1 DENIED",
        "start 2/3 Do the scripted thing.", "end 2 TIMED_OUT",
        "start 3/3 Do the scripted thing.", "end 3 SUCCEEDED");
    assertThat(p.closedChallenges).isEqualTo(3);
  }

  @Test
  void theLastDenialIsAnActionableError() {
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.denied("a"), MfaOutcome.denied("the request was denied"));
    assertThatThrownBy(() -> MfaRunner.builder(p).maxAttempts(2).build().run("carol"))
        .isInstanceOfSatisfying(AgentException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_DENIED);
          assertThat(e.code().id()).isEqualTo("KT-1301");
        })
        .hasMessageContaining("MFA with scripted for user 'carol' was denied: the request was denied (2 attempts)")
        .hasMessageContaining("Run provisioning again");
    assertThat(p.script).isEmpty();
  }

  @Test
  void aFinalTimeoutNamesTheLimit() {
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.timedOut("no answer"));
    assertThatThrownBy(() -> MfaRunner.builder(p).maxAttempts(1).attemptTimeout(Duration.ofSeconds(90)).build()
        .run("dave"))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_TIMED_OUT))
        .hasMessageContaining("no answer within 1 min 30 s")
        .hasMessageContaining("(1 attempt)");
  }

  @Test
  void aFinalFailureSaysToCheckTheService() {
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.failed("HTTP 503"), MfaOutcome.failed("HTTP 503"),
        MfaOutcome.failed("HTTP 502"));
    assertThatThrownBy(() -> MfaRunner.builder(p).build().run("erin"))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_FAILED))
        .hasMessageContaining("could not be completed: HTTP 502 (3 attempts)")
        .hasMessageContaining("MFA service is reachable");
  }

  @Test
  void declinedRetryStopsAtOnce() {
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.denied("no"), MfaOutcome.succeeded());
    assertThatThrownBy(() -> MfaRunner.builder(p).retryPrompt(MfaRetryPrompt.NEVER).build().run("frank"))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_DENIED))
        .hasMessageContaining("you chose not to try again");
    assertThat(p.startedFor).containsExactly("frank");
  }

  @Test
  void withOneAttemptTheRetryPromptIsNeverAsked() {
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.denied("no"));
    assertThatThrownBy(() -> MfaRunner.builder(p).maxAttempts(1)
        .retryPrompt((a, o) -> {
          throw new AssertionError("asked");
        }).build().run("gina"))
        .isInstanceOf(AgentException.class);
  }

  @Test
  void errorsFromStartAreNotRetried() {
    AgentException config = new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "bad config");
    ScriptedProvider p = new ScriptedProvider(config, MfaOutcome.succeeded());
    assertThatThrownBy(() -> MfaRunner.builder(p).build().run("hank")).isSameAs(config);
  }

  @Test
  void interruptionCancelsAndKeepsTheFlag() {
    ScriptedProvider p = new ScriptedProvider(new InterruptedException());
    try {
      assertThatThrownBy(() -> MfaRunner.builder(p).build().run("ivan"))
          .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CANCELLED));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(p.closedChallenges).isEqualTo(1);
  }

  @Test
  void limitsAreChecked() {
    ScriptedProvider p = new ScriptedProvider();
    assertThatThrownBy(() -> MfaRunner.builder(p).maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MfaRunner.builder(p).maxAttempts(11)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MfaRunner.builder(p).attemptTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MfaRunner.builder(p).attemptTimeout(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MfaRunner.builder(p).build().run("")).isInstanceOf(AgentException.class);
  }

  // ---- freshness --------------------------------------------------------------------------------

  @Test
  void aFreshMfaIsReusedWithinTenMinutesFromTheStateFile() throws Exception {
    MutableClock clock = new MutableClock(T0);
    Path state = dir.resolve("state");
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.succeeded(), MfaOutcome.succeeded());
    Events events = new Events();
    MfaRunner runner = MfaRunner.builder(p).listener(events)
        .freshness(MfaFreshness.inDirectory(state, MfaFreshness.DEFAULT_WINDOW, clock)).build();

    assertThat(runner.run("judy").reused()).isFalse();
    clock.advance(Duration.ofMinutes(10));
    MfaResult again = runner.run("judy");
    assertThat(again.reused()).as("exactly 10 minutes is still fresh").isTrue();
    assertThat(again.completion()).isEqualTo(new MfaCompletion("scripted", T0));
    assertThat(again.attempts()).isZero();
    assertThat(events.seen).contains("reused judy scripted");

    // a new runner in a new process reads the same file
    MfaRunner other = MfaRunner.builder(new ScriptedProvider())
        .freshness(MfaFreshness.inDirectory(state, MfaFreshness.DEFAULT_WINDOW, clock)).build();
    assertThat(other.run("judy").reused()).isTrue();

    clock.advance(Duration.ofSeconds(1));
    assertThat(runner.run("judy").reused()).as("10 min 1 s is stale").isFalse();
    assertThat(p.startedFor).containsExactly("judy", "judy");
  }

  @Test
  void freshnessIsPerUserAndTheFileIsOwnerOnly() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MfaFreshness f = MfaFreshness.inDirectory(dir, Duration.ofMinutes(10), clock);
    f.remember("kim", new MfaCompletion("totp", T0));
    assertThat(f.find("kim")).contains(new MfaCompletion("totp", T0));
    assertThat(f.find("leo")).isEmpty();
    try (var files = Files.list(dir)) {
      Path file = files.filter(x -> x.getFileName().toString().startsWith("mfa-fresh-")).findFirst().orElseThrow();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(Files.readString(file)).contains("user=kim\n", "method=totp\n", "completed-at=" + T0 + "\n");
    }
    f.forget("kim");
    assertThat(f.find("kim")).isEmpty();
  }

  @Test
  void aConfigurableWindowAndZeroMeansNever() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MfaFreshness five = MfaFreshness.inMemory(Duration.ofMinutes(5), clock);
    five.remember("mia", new MfaCompletion("push", T0));
    clock.advance(Duration.ofMinutes(6));
    assertThat(five.find("mia")).isEmpty();
    MfaFreshness never = MfaFreshness.inMemory(Duration.ZERO, clock);
    never.remember("mia", new MfaCompletion("push", clock.instant()));
    assertThat(never.find("mia")).isEmpty();
    assertThatThrownBy(() -> MfaFreshness.inMemory(Duration.ofDays(2), clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCompletionFromTheFutureIsNotFresh() {
    MutableClock clock = new MutableClock(T0);
    MfaFreshness f = MfaFreshness.inMemory(MfaFreshness.DEFAULT_WINDOW, clock);
    assertThat(f.isFresh(new MfaCompletion("token", T0.plusSeconds(30)))).as("within the skew").isTrue();
    assertThat(f.isFresh(new MfaCompletion("token", T0.plus(Duration.ofMinutes(5))))).isFalse();
  }

  @Test
  void anEmbedderCanSupplyTheMfaTimeFromItsTokenClaims() throws Exception {
    MutableClock clock = new MutableClock(T0);
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.succeeded());
    MfaRunner runner = MfaRunner.builder(p).freshness(MfaFreshness.inMemory(Duration.ofMinutes(10), clock)).build();
    MfaCompletion claimed = new MfaCompletion("token", T0.minus(Duration.ofMinutes(3)));
    MfaResult r = runner.run("nina", claimed);
    assertThat(r.reused()).isTrue();
    assertThat(r.completion()).isEqualTo(claimed);
    assertThat(p.startedFor).isEmpty();

    MfaResult old = runner.run("nina", new MfaCompletion("token", T0.minus(Duration.ofMinutes(11))));
    assertThat(old.reused()).isFalse();
    assertThat(p.startedFor).containsExactly("nina");
  }

  @Test
  void aBrokenStateFileNeverBlocksMfa() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MfaFreshness f = MfaFreshness.inDirectory(dir, MfaFreshness.DEFAULT_WINDOW, clock);
    f.remember("olga", new MfaCompletion("totp", T0));
    Path file;
    try (var files = Files.list(dir)) {
      file = files.findFirst().orElseThrow();
    }
    Files.writeString(file, "garbage");
    assertThatThrownBy(() -> f.find("olga"))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_STATE_IO));
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.succeeded());
    MfaResult r = MfaRunner.builder(p).freshness(f).build().run("olga");
    assertThat(r.reused()).isFalse();
    assertThat(f.find("olga")).as("the success rewrote the file").isPresent();
  }

  @Test
  void aStateFileOthersCanWriteIsNotTrusted() throws Exception {
    MutableClock clock = new MutableClock(T0);
    MfaFreshness f = MfaFreshness.inDirectory(dir, MfaFreshness.DEFAULT_WINDOW, clock);
    f.remember("paul", new MfaCompletion("totp", T0));
    try (var files = Files.list(dir)) {
      Files.setPosixFilePermissions(files.findFirst().orElseThrow(), PosixFilePermissions.fromString("rw-rw-rw-"));
    }
    assertThatThrownBy(() -> f.find("paul")).isInstanceOf(AgentException.class).hasMessageContaining("chmod 600");
    ScriptedProvider p = new ScriptedProvider(MfaOutcome.succeeded());
    assertThat(MfaRunner.builder(p).freshness(f).build().run("paul").reused()).isFalse();
  }
}
