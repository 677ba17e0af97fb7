package dev.keytrust.agent.endpoint.drs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token file, environment variable and command: real files and real processes. */
class DrsTokenSourceTest {
  private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1cG4iOiJ0b2tlbnRlc3QifQ.c2lnbmF0dXJlX3Rlc3Q";

  @TempDir Path tmp;

  private Path tokenFile(String content, String perms) throws Exception {
    Path f = tmp.resolve("token-" + perms);
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
    return f;
  }

  @Test
  void file_ownerOnly_isRead_andTrailingNewlineTrimmed() throws Exception {
    TokenSource source = new TokenSource.FromFile(tokenFile(TOKEN + "\n", "rw-------"));
    source.check();
    assertThat(source.read().value()).isEqualTo(TOKEN);
    assertThat(source.read().authorizationHeader()).isEqualTo("Bearer " + TOKEN);
    // group access is the owner's choice; only "other" is refused
    assertThat(new TokenSource.FromFile(tokenFile(TOKEN, "rw-r-----")).read().value()).isEqualTo(TOKEN);
  }

  @Test
  void file_accessibleToOthers_isRefusedClearly() throws Exception {
    for (String perms : List.of("rw-r--r--", "rw-----w-", "rw-rw-rw-")) {
      Path f = tokenFile(TOKEN, perms);
      assertThatThrownBy(() -> new TokenSource.FromFile(f).check())
          .isInstanceOf(AgentException.class)
          .hasMessageContaining("Refusing the token file " + f)
          .hasMessageContaining("chmod 600")
          .satisfies(e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.DRS_TOKEN_SOURCE))
          .message()
          .doesNotContain(TOKEN);
    }
  }

  @Test
  void file_missingEmptyOrNotAToken_isRefusedWithoutQuotingIt() throws Exception {
    assertThatThrownBy(() -> new TokenSource.FromFile(tmp.resolve("none")).check())
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> new TokenSource.FromFile(tokenFile(" \n", "rw-------")).check())
        .hasMessageContaining("it is empty");
    Path twoLines = tmp.resolve("two");
    Files.writeString(twoLines, TOKEN + "\n" + TOKEN);
    Files.setPosixFilePermissions(twoLines, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> new TokenSource.FromFile(twoLines).check())
        .hasMessageContaining("more than one line")
        .message()
        .doesNotContain(TOKEN);
    Path bearer = tmp.resolve("bearer");
    Files.writeString(bearer, "Bearer " + TOKEN);
    Files.setPosixFilePermissions(bearer, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> new TokenSource.FromFile(bearer).check())
        .hasMessageContaining("give the token alone")
        .message()
        .doesNotContain(TOKEN);
  }

  @Test
  void environment_setOrNot() throws Exception {
    TokenSource set = new TokenSource.FromEnvironment("KT_T", Map.of("KT_T", TOKEN)::get);
    assertThat(set.read().value()).isEqualTo(TOKEN);
    TokenSource unset = new TokenSource.FromEnvironment("KT_T", name -> null);
    assertThatThrownBy(unset::check)
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("KT_T")
        .hasMessageContaining("is not set");
  }

  @Test
  void command_printsTheToken() throws Exception {
    TokenSource source =
        new TokenSource.FromCommand(List.of("printf", "%s\\n", TOKEN), Duration.ofSeconds(30));
    source.check();
    assertThat(source.read().value()).isEqualTo(TOKEN);
  }

  @Test
  void command_failing_quotesItsErrorOutput_butNeverItsStandardOutput() throws Exception {
    Path script = tmp.resolve("fail.sh");
    Files.writeString(script, "#!/bin/sh\necho " + TOKEN + "\necho 'no cached credentials' >&2\nexit 3\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    TokenSource source = new TokenSource.FromCommand(List.of(script.toString()), Duration.ofSeconds(30));
    source.check();
    assertThatThrownBy(source::read)
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("exited with status 3")
        .hasMessageContaining("no cached credentials")
        .satisfies(e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.DRS_TOKEN_COMMAND_FAILED))
        .message()
        .doesNotContain(TOKEN);
  }

  @Test
  void command_failing_withATokenInItsErrorOutput_isQuotedMasked() throws Exception {
    Path script = tmp.resolve("leaky.sh");
    Files.writeString(script, "#!/bin/sh\necho \"refresh failed for token " + TOKEN + " (expired)\" >&2\nexit 4\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    TokenSource source = new TokenSource.FromCommand(List.of(script.toString()), Duration.ofSeconds(30));
    assertThatThrownBy(source::read)
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("refresh failed for token [redacted] (expired)")
        .message()
        .doesNotContain(TOKEN);
  }

  @Test
  void command_thatHangs_isStoppedAfterTheTimeout() throws Exception {
    Path script = tmp.resolve("hang.sh");
    Path pidFile = tmp.resolve("pid");
    Files.writeString(script, "#!/bin/sh\necho $$ > " + pidFile + "\nexec sleep 600\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    TokenSource source = new TokenSource.FromCommand(List.of(script.toString()), Duration.ofMillis(500));
    assertThatThrownBy(source::read)
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("did not finish");
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void command_printingNothingUsable_orMissing() throws Exception {
    assertThatThrownBy(
            () -> new TokenSource.FromCommand(List.of("printf", "two words"), Duration.ofSeconds(30)).read())
        .hasMessageContaining("printed no usable access token");
    assertThatThrownBy(
            () -> new TokenSource.FromCommand(List.of("no-such-token-tool-kt"), Duration.ofSeconds(5)).check())
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("is not on PATH")
        .satisfies(e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.DRS_TOKEN_SOURCE));
    assertThatThrownBy(
            () -> new TokenSource.FromCommand(List.of(tmp.resolve("nope").toString()), Duration.ofSeconds(5)).check())
        .hasMessageContaining("does not exist or is not executable");
  }

  @Test
  void bearerToken_toStringAndRedaction_hideTheValue() {
    BearerToken token = BearerToken.of(TOKEN);
    assertThat(token.toString()).doesNotContain(TOKEN).contains(TOKEN.length() + " chars");
    assertThat(token.redact("echo: Bearer " + TOKEN + "!")).isEqualTo("echo: Bearer <token>!");
  }
}
