package dev.keytrust.agent.prereq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RemoteSessionDetectorTest {

  private final List<List<String>> commands = new ArrayList<>();

  private RemoteSessionDetector detector(Map<String, String> env, String loginctlOutput) {
    return new RemoteSessionDetector(env, cmd -> {
      commands.add(cmd);
      return Optional.ofNullable(loginctlOutput);
    });
  }

  @Test
  void sshVariablesMeanRemoteWithoutAskingLogind() {
    for (String var : List.of("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")) {
      SessionInfo s = detector(Map.of(var, "x", "XDG_SESSION_ID", "3"), "Remote=no\n").detect();
      assertThat(s.remote()).as(var).isTrue();
      assertThat(s.evidence()).isEqualTo(var + " is set (SSH session)");
    }
    assertThat(commands).isEmpty();
  }

  @Test
  void blankSshVariablesDoNotCount() {
    assertThat(detector(Map.of("SSH_CONNECTION", " "), "Remote=no\n").detect().remote()).isFalse();
  }

  @Test
  void logindSaysRemoteForTheSessionOfXdgSessionId() {
    SessionInfo s = detector(Map.of("XDG_SESSION_ID", "c7"), "Remote=yes\n").detect();

    assertThat(s.remote()).isTrue();
    assertThat(s.evidence()).isEqualTo("loginctl: session c7 has Remote=yes");
    assertThat(commands).containsExactly(List.of("loginctl", "show-session", "c7", "-p", "Remote"));
  }

  @Test
  void logindSaysLocal() {
    SessionInfo s = detector(Map.of("XDG_SESSION_ID", "2"), "Remote=no\n").detect();

    assertThat(s.remote()).isFalse();
    assertThat(s.evidence()).isEqualTo("loginctl: session 2 has Remote=no");
  }

  @Test
  void withoutASessionIdTheCallersOwnSessionIsAskedAndOddIdsAreNotPassedOn() {
    detector(Map.of(), "Remote=no\n").detect();
    detector(Map.of("XDG_SESSION_ID", "1 --help"), "Remote=no\n").detect();

    assertThat(commands).extracting(c -> c.get(2)).containsExactly("self", "self");
  }

  @Test
  void noLogindAnswerAndNoSshVariablesMeansLocal() {
    SessionInfo none = detector(Map.of(), null).detect();
    assertThat(none.remote()).isFalse();
    assertThat(none.evidence()).contains("no SSH variables set", "no logind session answer");

    SessionInfo odd = detector(Map.of(), "Something=else\n").detect();
    assertThat(odd.remote()).isFalse();
    assertThat(odd.evidence()).contains("loginctl did not say");
  }

  @Test
  void theProcessRunnerReturnsOutputOnlyForACommandThatSucceedsInTime() {
    ProcessCommandRunner runner = new ProcessCommandRunner(Duration.ofSeconds(20));

    assertThat(runner.run(List.of("sh", "-c", "printf 'Id=4\\nRemote=yes\\n'"))).contains("Id=4\nRemote=yes\n");
    assertThat(runner.run(List.of("sh", "-c", "echo Remote=yes; exit 3"))).isEmpty();
    assertThat(runner.run(List.of("keytrust-no-such-command-" + ProcessHandle.current().pid()))).isEmpty();
    assertThat(new ProcessCommandRunner(Duration.ofMillis(200)).run(List.of("sleep", "30"))).isEmpty();
  }
}
