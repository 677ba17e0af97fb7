package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/** A provider whose challenges end with the outcomes the test lists, one per attempt. */
final class ScriptedProvider implements MfaProvider {
  final Deque<Object> script;
  final List<String> startedFor = new ArrayList<>();
  final List<Duration> timeouts = new ArrayList<>();
  int closedChallenges;

  /** Each item: an {@link MfaOutcome}, an {@link AgentException} thrown by start, or an {@link InterruptedException}. */
  ScriptedProvider(Object... script) {
    this.script = new ArrayDeque<>(Arrays.asList(script));
  }

  @Override
  public String name() {
    return "scripted";
  }

  @Override
  public MfaChallenge start(String user) throws AgentException {
    startedFor.add(user);
    Object next = script.poll();
    if (next == null) {
      throw new AssertionError("the runner started more attempts than scripted");
    }
    if (next instanceof AgentException e) {
      throw e;
    }
    return new MfaChallenge() {
      @Override
      public String instructions() {
        return "Do the scripted thing.";
      }

      @Override
      public MfaOutcome await(Duration timeout) throws InterruptedException {
        timeouts.add(timeout);
        if (next instanceof InterruptedException e) {
          throw e;
        }
        return (MfaOutcome) next;
      }

      @Override
      public void close() {
        closedChallenges++;
      }
    };
  }
}
