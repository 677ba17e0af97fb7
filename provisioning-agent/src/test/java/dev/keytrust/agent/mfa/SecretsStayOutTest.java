package dev.keytrust.agent.mfa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.testlog.CapturedLogs;
import dev.keytrust.key.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TOTP secret, the codes typed and a bearer token go through successes and every kind of failure
 * with DEBUG logging on; none of them shows in a log event, an exception message, an outcome reason
 * or a toString. The values are chosen so they cannot turn up by chance (in temp paths, ports).
 */
class SecretsStayOutTest {
  private static final byte[] SEED = "kt-seed-Qx7-nothing-else".getBytes(StandardCharsets.US_ASCII);
  private static final String SEED_B32 = "NN2C243FMVSC2ULYG4WW433UNBUW4ZZNMVWHGZI";
  private static final String TOKEN = "tok-Zq8w-4417-secret";
  private static final Instant T = Instant.parse("2025-06-01T12:00:00Z");

  @TempDir Path dir;

  @Test
  void noSecretLeaks() throws Exception {
    List<String> seen = new ArrayList<>();
    Totp ref = new Totp(SEED, TotpAlgorithm.SHA1, 6, Duration.ofSeconds(30));
    String good = new String(ref.code(ref.timeStep(T)));
    String wrong = good.equals("739164") ? "739165" : "739164";

    try (CapturedLogs logs = new CapturedLogs(); PushServer server = PushServer.http()) {
      // TOTP: wrong, right, replayed, malformed
      Path secret = dir.resolve("totp");
      Files.writeString(secret, "otpauth://totp/Ex:u?secret=" + SEED_B32 + "&issuer=Ex\n");
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
      List<String> typed = new ArrayList<>(List.of(wrong, good, good, wrong + "0"));
      MfaCodePrompt prompt = (user, text) -> typed.isEmpty() ? null : typed.remove(0).toCharArray();
      MfaProvider totp = MfaProviders.fromClassPath().create("totp",
          new MfaSettings(Map.of("secret-file", secret.toString())),
          new MfaContext(new MutableClock(T), Optional.of(dir.resolve("state")), Optional.of(prompt)));
      seen.add(totp.toString());
      MfaListener collect = new MfaListener() {
        @Override
        public void attemptStarted(MfaAttempt attempt, String instructions) {
          seen.add(instructions);
        }

        @Override
        public void attemptEnded(MfaAttempt attempt, MfaOutcome outcome) {
          seen.add(outcome.toString());
        }
      };
      seen.add(MfaRunner.builder(totp).maxAttempts(2).listener(collect).build().run("alice").toString());
      try {
        MfaRunner.builder(totp).maxAttempts(2).listener(collect).build().run("alice");
      } catch (Exception e) {
        seen.add(e.toString());
      }
      // a broken secret file with the secret in it
      Files.writeString(secret, "otpauth://totp/Ex:u?secret=" + SEED_B32 + "1&issuer=Ex\n");
      try {
        MfaProviders.fromClassPath().create("totp", new MfaSettings(Map.of("secret-file", secret.toString())),
            new MfaContext(new MutableClock(T), Optional.empty(), Optional.of(prompt)));
      } catch (Exception e) {
        seen.add(e.toString());
      }

      // push with a token: 401, 500, deny, approve
      Path token = dir.resolve("token");
      Files.writeString(token, TOKEN + "\n");
      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
      server.onStart(401, "{}").onStart(500, "x").onStart(200, "{\"id\":\"p1\"}")
          .onPoll(200, "{\"status\":\"denied\"}").onPoll(200, "{\"status\":\"approved\"}");
      PushMfaProvider push = new PushMfaProvider(PushSettings.of(server.base()).withTokenFile(token)
          .withPollInterval(Duration.ofMillis(20)));
      seen.add(push.toString());
      seen.add(push.settings().toString());
      try {
        MfaRunner.builder(push).listener(collect).build().run("bob");
      } catch (Exception e) {
        seen.add(e.toString());
      }
      try {
        MfaRunner.builder(push).maxAttempts(2).listener(collect).build().run("bob");
      } catch (Exception e) {
        seen.add(e.toString());
      }
      seen.add(MfaRunner.builder(push).listener(collect).build().run("bob").toString());
      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
      try {
        new PushMfaProvider(PushSettings.of(server.base()).withTokenFile(token));
      } catch (Exception e) {
        seen.add(e.toString());
      }
      assertThat(server.seen).anySatisfy(s -> assertThat(s.authorization()).isEqualTo("Bearer " + TOKEN));
      seen.addAll(logs.texts());
    }

    assertThat(seen).as("something was logged and reported").hasSizeGreaterThan(10);
    // temp folder names hold random digits a 6-digit code could be part of by chance
    String all = String.join("\n", seen).replace(dir.toString(), "<tmp>");
    assertThat(all).contains("KT-1301", "KT-1306", "denied", "HTTP 401");
    assertThat(all).doesNotContain(SEED_B32.substring(0, 12), new String(SEED, StandardCharsets.US_ASCII),
        Base64.getEncoder().encodeToString(SEED), TOKEN, good, wrong);
  }
}
