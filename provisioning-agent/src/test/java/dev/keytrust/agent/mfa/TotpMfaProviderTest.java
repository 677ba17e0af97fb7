package dev.keytrust.agent.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TotpMfaProviderTest {
  /** Base32 of the RFC 6238 SHA-1 seed "12345678901234567890". */
  static final String SEED_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  private static final Instant T = Instant.ofEpochSecond(1111111109L);

  @TempDir Path dir;

  /** Types what the test queued; remembers the arrays it handed out. */
  static final class Typist implements MfaCodePrompt {
    final Deque<String> codes = new ArrayDeque<>();
    final List<char[]> handedOut = new ArrayList<>();
    final List<String> instructions = new ArrayList<>();

    Typist type(String code) {
      codes.add(code);
      return this;
    }

    @Override
    public char[] askCode(String user, String text) {
      instructions.add(text);
      String c = codes.poll();
      if (c == null) {
        return null;
      }
      char[] chars = c.toCharArray();
      handedOut.add(chars);
      return chars;
    }
  }

  private Path secretFile(String content) throws Exception {
    Path f = dir.resolve("totp-" + System.nanoTime());
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private MfaProvider create(String content, Map<String, String> extra, Typist typist, MutableClock clock)
      throws Exception {
    Map<String, String> settings = new java.util.HashMap<>(extra);
    settings.put("secret-file", secretFile(content).toString());
    return MfaProviders.fromClassPath().create("totp", new MfaSettings(settings),
        new MfaContext(clock, Optional.of(dir.resolve("state")), Optional.of(typist)));
  }

  private static MfaOutcome once(MfaProvider p, String user) throws Exception {
    try (MfaChallenge c = p.start(user)) {
      return c.await(Duration.ofMinutes(1));
    }
  }

  @Test
  void theCurrentCodeSucceedsOnceAndIsThenRefusedAsReplay() throws Exception {
    Typist typist = new Typist().type("081804").type("081804");
    MfaProvider p = create(SEED_BASE32 + "\n", Map.of(), typist, new MutableClock(T));
    assertThat(once(p, "alice")).isEqualTo(MfaOutcome.succeeded());
    MfaOutcome replay = once(p, "alice");
    assertThat(replay.status()).isEqualTo(MfaStatus.DENIED);
    assertThat(replay.reason()).contains("already used");
    assertThat(typist.handedOut).allSatisfy(a -> assertThat(a).containsOnly('\0'));
    assertThat(typist.instructions.get(0)).isEqualTo("Enter the 6-digit code from your authenticator app.");
  }

  @Test
  void replayProtectionSurvivesANewProviderOnTheSameStateDirAndCoversOlderSteps() throws Exception {
    MutableClock clock = new MutableClock(T);
    Totp ref = new Totp("12345678901234567890".getBytes(StandardCharsets.US_ASCII), TotpAlgorithm.SHA1, 6,
        Duration.ofSeconds(30));
    long step = ref.timeStep(T);
    Typist first = new Typist().type(new String(ref.code(step)));
    assertThat(once(create(SEED_BASE32, Map.of(), first, clock), "bob").isSuccess()).isTrue();
    Typist second = new Typist().type(new String(ref.code(step))).type(new String(ref.code(step - 1)))
        .type(new String(ref.code(step + 1)));
    MfaProvider again = create(SEED_BASE32, Map.of(), second, clock);
    assertThat(once(again, "bob").reason()).contains("already used");
    assertThat(once(again, "bob").reason()).as("an older step inside the window").contains("already used");
    assertThat(once(again, "bob").isSuccess()).as("the next step").isTrue();
    assertThat(once(create(SEED_BASE32, Map.of(), new Typist().type(new String(ref.code(step))), clock), "carol")
        .isSuccess()).as("replay is per user").isTrue();
  }

  @Test
  void wrongMalformedAndMissingCodes() throws Exception {
    Typist typist = new Typist().type("081805").type("08180").type("08180x").type("081 804");
    MfaProvider p = create(SEED_BASE32, Map.of(), typist, new MutableClock(T));
    assertThat(once(p, "dave")).satisfies(o -> {
      assertThat(o.status()).isEqualTo(MfaStatus.DENIED);
      assertThat(o.reason()).contains("wrong or has expired").doesNotContain("081805");
    });
    assertThat(once(p, "dave").reason()).isEqualTo("a code has 6 digits");
    assertThat(once(p, "dave").reason()).isEqualTo("a code has 6 digits");
    assertThat(once(p, "dave").isSuccess()).as("spaces are ignored").isTrue();
    assertThat(once(p, "dave")).isEqualTo(MfaOutcome.failed("no code was entered"));
  }

  @Test
  void aCodeTypedAfterTheTimeoutTimesOut() throws Exception {
    MfaCodePrompt slow = (user, text) -> {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "081804".toCharArray();
    };
    MfaProvider p = MfaProviders.fromClassPath().create("totp",
        new MfaSettings(Map.of("secret-file", secretFile(SEED_BASE32).toString())),
        new MfaContext(new MutableClock(T), Optional.empty(), Optional.of(slow)));
    try (MfaChallenge c = p.start("erin")) {
      assertThat(c.await(Duration.ofMillis(1)).status()).isEqualTo(MfaStatus.TIMED_OUT);
    }
  }

  @Test
  void otpauthUrisSetAlgorithmDigitsAndPeriod() throws Exception {
    // the RFC's SHA-256 seed, 8 digits: Appendix B gives 68084774 at T = 1111111109
    String seed256 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA";
    String uri = "otpauth://totp/Example:alice@example.com?secret=" + seed256
        + "&issuer=Example&algorithm=SHA256&digits=8&period=30";
    MfaProvider p = create(uri, Map.of(), new Typist().type("68084774"), new MutableClock(T));
    assertThat(once(p, "alice").isSuccess()).isTrue();
    assertThat(p.toString()).isEqualTo("TotpMfaProvider[Totp[SHA256, 8 digits, 30 s]]");
  }

  @Test
  void settingsApplyToABareSecret() throws Exception {
    String seed512 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        + "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA=";
    MfaProvider p = create(seed512.toLowerCase(), Map.of("algorithm", "sha512", "digits", "8"),
        new Typist().type("25091201"), new MutableClock(T));
    assertThat(once(p, "frank").isSuccess()).isTrue();
  }

  @Test
  void badSecretFilesAreConfigurationErrorsThatNeverQuoteTheSecret() throws Exception {
    Typist t = new Typist();
    MutableClock c = new MutableClock(T);
    assertConfigError(() -> create("otpauth://hotp/x?secret=" + SEED_BASE32 + "&counter=1", Map.of(), t, c),
        "only otpauth://totp/");
    assertConfigError(() -> create("otpauth://totp/x?issuer=Example", Map.of(), t, c), "no secret");
    assertConfigError(() -> create("GEZDGNBVGY3TQOJ1GEZDGNBV", Map.of(), t, c), "not Base32");
    assertConfigError(() -> create("GEZDGNBV", Map.of(), t, c), "at least 10 bytes");
    assertConfigError(() -> create(SEED_BASE32 + "\n" + SEED_BASE32, Map.of(), t, c), "more than one line");
    assertConfigError(() -> create("otpauth://totp/x?secret=" + SEED_BASE32 + "&digits=6",
        Map.of("digits", "8"), t, c), "contradicts");
    assertConfigError(() -> create(SEED_BASE32, Map.of("algorithm", "md5"), t, c), "unknown algorithm");
    assertConfigError(() -> create(SEED_BASE32, Map.of("digits", "10"), t, c), "digits");
  }

  private static void assertConfigError(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String text) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID);
          assertThat(e.code().badInput()).isTrue();
        })
        .hasMessageContaining(text)
        .hasMessageNotContaining("GEZDGNBV");
  }

  @Test
  void aSecretFileOthersCanReadIsRefused() throws Exception {
    Path f = secretFile(SEED_BASE32);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> MfaProviders.fromClassPath().create("totp",
        new MfaSettings(Map.of("secret-file", f.toString())),
        new MfaContext(new MutableClock(T), Optional.empty(), Optional.of(new Typist()))))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID))
        .hasMessageContaining("readable or writable by other users")
        .hasMessageContaining("chmod 600");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    assertThat(MfaProviders.fromClassPath().create("totp", new MfaSettings(Map.of("secret-file", f.toString())),
        new MfaContext(new MutableClock(T), Optional.empty(), Optional.of(new Typist())))).isNotNull();
  }

  @Test
  void missingFileMissingSettingAndNoPromptAreConfigurationErrors() throws Exception {
    MfaContext ctx = new MfaContext(new MutableClock(T), Optional.empty(), Optional.of(new Typist()));
    assertThatThrownBy(() -> MfaProviders.fromClassPath().create("totp", MfaSettings.none(), ctx))
        .hasMessageContaining("needs the setting secret-file");
    assertThatThrownBy(() -> MfaProviders.fromClassPath().create("totp",
        new MfaSettings(Map.of("secret-file", dir.resolve("absent").toString())), ctx))
        .hasMessageContaining("does not exist");
    Path f = secretFile(SEED_BASE32);
    assertThatThrownBy(() -> MfaProviders.fromClassPath().create("totp",
        new MfaSettings(Map.of("secret-file", f.toString())),
        new MfaContext(new MutableClock(T), Optional.empty(), Optional.empty())))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID))
        .hasMessageContaining("no terminal");
  }

  @Test
  void throughTheRunnerAWrongCodeIsRetriedThenAccepted() throws Exception {
    Typist typist = new Typist().type("000000").type("081804");
    MfaProvider p = create(SEED_BASE32, Map.of(), typist, new MutableClock(T));
    MfaResult r = MfaRunner.builder(p).maxAttempts(2).build().run("gina");
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.completion().method()).isEqualTo("totp");
  }
}
