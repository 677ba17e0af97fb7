package dev.keytrust.agent.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The push provider against a real HTTP server on loopback that the test starts and stops. */
class PushMfaProviderTest {
  private static final Duration FAST = Duration.ofMillis(20);
  private static final String PENDING = "{\"status\":\"pending\"}";
  private static final String APPROVED = "{\"status\":\"approved\"}";
  private static final String DENIED = "{\"status\":\"denied\"}";

  @TempDir Path dir;
  private PushServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private PushMfaProvider provider(PushSettings s) throws AgentException {
    return new PushMfaProvider(s.withPollInterval(FAST).withRequestTimeout(Duration.ofSeconds(5)));
  }

  private static MfaOutcome once(MfaProvider p, String user, Duration timeout) throws Exception {
    try (MfaChallenge c = p.start(user)) {
      return c.await(timeout);
    }
  }

  @Test
  void approveAfterPendingSucceedsAndTheRequestsFollowTheProtocol() throws Exception {
    server = PushServer.http().onStart(201, "{\"id\":\"req-1.A_b~\"}")
        .onPoll(200, PENDING).onPoll(200, PENDING).onPoll(200, APPROVED);
    Path token = dir.resolve("token");
    Files.writeString(token, "tok.EN-4711\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    PushMfaProvider p = provider(PushSettings.of(server.base()).withTokenFile(token));
    assertThat(once(p, "alice@example.com", Duration.ofSeconds(30))).isEqualTo(MfaOutcome.succeeded());

    PushServer.Seen start = server.seen.get(0);
    assertThat(start.method()).isEqualTo("POST");
    assertThat(start.path()).isEqualTo("/mfa/push");
    assertThat(start.contentType()).isEqualTo("application/json");
    JsonNode body = new ObjectMapper().readTree(start.body());
    assertThat(body.size()).isEqualTo(1);
    assertThat(body.get("user").asText()).isEqualTo("alice@example.com");
    assertThat(server.seen).hasSize(4).allSatisfy(s -> assertThat(s.authorization()).isEqualTo("Bearer tok.EN-4711"));
    assertThat(server.seen.subList(1, 4)).allSatisfy(s -> {
      assertThat(s.method()).isEqualTo("GET");
      assertThat(s.path()).isEqualTo("/mfa/push/req-1.A_b~");
    });
    assertThat(p.toString()).doesNotContain("tok.EN");
  }

  @Test
  void userNamesAreJsonEscaped() throws Exception {
    server = PushServer.http().onStart(200, "{\"id\":\"x\"}").onPoll(200, APPROVED);
    String user = "o\"brien\\\u00e9\u2028";
    assertThat(once(provider(PushSettings.of(server.base())), user, Duration.ofSeconds(30)).isSuccess()).isTrue();
    assertThat(new ObjectMapper().readTree(server.seen.get(0).body()).get("user").asText()).isEqualTo(user);
    assertThat(server.seen.get(0).authorization()).isNull();
  }

  @Test
  void denyIsAnMfaDenial() throws Exception {
    server = PushServer.http().onStart(200, "{\"id\":\"r2\"}").onPoll(200, PENDING).onPoll(200, DENIED);
    MfaProvider p = provider(PushSettings.of(server.base()));
    assertThatThrownBy(() -> MfaRunner.builder(p).maxAttempts(1).build().run("bob"))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_DENIED))
        .hasMessageContaining("denied on the device");
  }

  @Test
  void aRequestThatStaysPendingTimesOut() throws Exception {
    server = PushServer.http().onStart(200, "{\"id\":\"r3\"}").onPoll(200, PENDING);
    MfaProvider p = provider(PushSettings.of(server.base()));
    assertThatThrownBy(() -> MfaRunner.builder(p).maxAttempts(2).attemptTimeout(Duration.ofMillis(300)).build()
        .run("carol"))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_TIMED_OUT))
        .hasMessageContaining("neither approved nor denied in time")
        .hasMessageContaining("(2 attempts)");
    assertThat(server.seen.stream().filter(s -> s.method().equals("POST")).count()).isEqualTo(2);
    assertThat(server.polls()).isGreaterThan(2);
  }

  @Test
  void serverErrorsWhilePollingArePassingProblems() throws Exception {
    server = PushServer.http().onStart(200, "{\"id\":\"r4\"}")
        .onPoll(500, "oops").onPoll(503, "").onPoll(200, APPROVED);
    assertThat(once(provider(PushSettings.of(server.base())), "dave", Duration.ofSeconds(30)).isSuccess()).isTrue();
    assertThat(server.polls()).isEqualTo(3);
  }

  @Test
  void aPersistentServerErrorIsNamedWhenTheAttemptTimesOut() throws Exception {
    server = PushServer.http().onStart(200, "{\"id\":\"r5\"}").onPoll(500, "oops");
    MfaOutcome o = once(provider(PushSettings.of(server.base())), "erin", Duration.ofMillis(200));
    assertThat(o.status()).isEqualTo(MfaStatus.TIMED_OUT);
    assertThat(o.reason()).contains("last problem: HTTP 500");
  }

  @Test
  void aServerErrorOnStartIsAFailedAttemptTheRunnerRetries() throws Exception {
    server = PushServer.http().onStart(500, "down").onStart(200, "{\"id\":\"r6\"}").onPoll(200, APPROVED);
    List<MfaOutcome> ended = new ArrayList<>();
    MfaResult r = MfaRunner.builder(provider(PushSettings.of(server.base())))
        .listener(new MfaListener() {
          @Override
          public void attemptEnded(MfaAttempt attempt, MfaOutcome outcome) {
            ended.add(outcome);
          }
        }).build().run("frank");
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(ended.get(0).status()).isEqualTo(MfaStatus.FAILED);
    assertThat(ended.get(0).reason()).contains("HTTP 500");
  }

  @Test
  void garbageBodiesFail() throws Exception {
    server = PushServer.http().onStart(200, "<html>hello</html>");
    MfaOutcome o = once(provider(PushSettings.of(server.base())), "gina", Duration.ofSeconds(30));
    assertThat(o.status()).isEqualTo(MfaStatus.FAILED);
    assertThat(o.reason()).contains("not the JSON keytrust expects").doesNotContain("hello");
    server.close();

    server = PushServer.http().onStart(200, "{\"id\":\"r7\"}").onPoll(200, "{\"status\":\"approved\"} trailing");
    assertThat(once(provider(PushSettings.of(server.base())), "gina", Duration.ofSeconds(30)).status())
        .isEqualTo(MfaStatus.FAILED);
    server.close();

    server = PushServer.http().onStart(200, "{\"id\":\"../admin\"}");
    assertThat(once(provider(PushSettings.of(server.base())), "gina", Duration.ofSeconds(30)).reason())
        .contains("no valid request id");
    server.close();

    server = PushServer.http().onStart(200, "{\"id\":\"r8\"}").onPoll(200, "{\"status\":\"maybe\"}");
    assertThat(once(provider(PushSettings.of(server.base())), "gina", Duration.ofSeconds(30)).reason())
        .contains("unknown status");
    server.close();

    server = PushServer.http().onStart(200, "{\"id\":\"r9\",\"pad\":\"" + "x".repeat(20_000) + "\"}");
    assertThat(once(provider(PushSettings.of(server.base())), "gina", Duration.ofSeconds(30)).reason())
        .contains("larger than 16384 bytes");
  }

  @Test
  void aForgottenRequestFails() throws Exception {
    server = PushServer.http().onStart(200, "{\"id\":\"r10\"}").onPoll(404, "{}");
    MfaOutcome o = once(provider(PushSettings.of(server.base())), "hank", Duration.ofSeconds(30));
    assertThat(o.status()).isEqualTo(MfaStatus.FAILED);
    assertThat(o.reason()).contains("no longer knows");
  }

  @Test
  void refusedCredentialsAndAWrongUrlAreConfigurationErrors() throws Exception {
    server = PushServer.http().onStart(401, "{}");
    PushMfaProvider p = provider(PushSettings.of(server.base()));
    assertThatThrownBy(() -> p.start("ivan"))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID))
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("bearer token");
    PushMfaProvider wrong = provider(PushSettings.of(server.base().resolve("/elsewhere")));
    assertThatThrownBy(() -> wrong.start("ivan"))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID))
        .hasMessageContaining("no MFA push endpoint at " + server.base() + "/elsewhere/mfa/push");
  }

  @Test
  void anUnreachableServiceIsAFailedAttempt() throws Exception {
    server = PushServer.http();
    URI base = server.base();
    server.close();
    server = null;
    MfaOutcome o = once(provider(PushSettings.of(base)), "judy", Duration.ofSeconds(30));
    assertThat(o.status()).isEqualTo(MfaStatus.FAILED);
    assertThat(o.reason()).contains("cannot reach the MFA service at " + base);
  }

  @Test
  void settingsRefusePlainHttpOffLoopbackAndOtherMistakes() {
    assertThatThrownBy(() -> PushSettings.of(URI.create("http://mfa.example.com")))
        .hasMessageContaining("https");
    assertThatThrownBy(() -> PushSettings.of(URI.create("http://192.0.2.7:8080"))).hasMessageContaining("https");
    assertThatThrownBy(() -> PushSettings.of(URI.create("ftp://mfa.example.com"))).hasMessageContaining("https");
    assertThatThrownBy(() -> PushSettings.of(URI.create("https://mfa.example.com/?a=b")))
        .hasMessageContaining("query");
    assertThatThrownBy(() -> PushSettings.of(URI.create("https://u:p@mfa.example.com")))
        .hasMessageContaining("user info");
    assertThatThrownBy(() -> PushSettings.of(URI.create("mfa.example.com"))).hasMessageContaining("absolute");
    assertThat(PushSettings.of(URI.create("https://mfa.example.com/base/")).endpoint("/x"))
        .isEqualTo(URI.create("https://mfa.example.com/base/mfa/push/x"));
    assertThat(PushSettings.of(URI.create("http://localhost:1")).baseUri().getHost()).isEqualTo("localhost");
    assertThat(PushSettings.of(URI.create("http://[::1]:1")).baseUri().getPort()).isEqualTo(1);
  }

  @Test
  void theFactoryReadsItsSettings() throws Exception {
    server = PushServer.http().onStart(200, "{\"id\":\"r11\"}").onPoll(200, APPROVED);
    MfaContext ctx = new MfaContext(Clock.systemUTC(), Optional.empty(), Optional.empty());
    MfaProvider p = MfaProviders.fromClassPath().create("push", new MfaSettings(Map.of(
        "url", server.base().toString(), "poll-interval", "20ms", "request-timeout", "PT5S")), ctx);
    assertThat(((PushMfaProvider) p).settings().pollInterval()).isEqualTo(FAST);
    assertThat(once(p, "kim", Duration.ofSeconds(30)).isSuccess()).isTrue();
    assertThatThrownBy(() -> MfaProviders.fromClassPath().create("push",
        new MfaSettings(Map.of("url", server.base().toString(), "poll-interval", "soon")), ctx))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID))
        .hasMessageContaining("not a duration");
    assertThatThrownBy(() -> MfaProviders.fromClassPath().create("push", MfaSettings.none(), ctx))
        .hasMessageContaining("needs the setting url");
  }

  @Test
  void aTokenFileOthersCanReadIsRefused() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "tok.EN-4711\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> new PushMfaProvider(PushSettings.of(URI.create("https://mfa.example.com"))
        .withTokenFile(token)))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID))
        .hasMessageContaining("chmod 600")
        .hasMessageNotContaining("tok.EN");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(token, "two words\n");
    assertThatThrownBy(() -> new PushMfaProvider(PushSettings.of(URI.create("https://mfa.example.com"))
        .withTokenFile(token)))
        .hasMessageContaining("does not hold one bearer token")
        .hasMessageNotContaining("two words");
  }

  @Test
  void tlsWithACaFileWorksAndWithoutItTheHandshakeFails() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path ca = dir.resolve("ca.pem");
    keytool("-genkeypair", "-alias", "mfa", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", "changeit", "-keypass", "changeit");
    keytool("-exportcert", "-rfc", "-alias", "mfa", "-keystore", keystore.toString(), "-storepass", "changeit",
        "-file", ca.toString());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = PushServer.https(tls).onStart(200, "{\"id\":\"r12\"}").onPoll(200, APPROVED);

    assertThat(once(provider(PushSettings.of(server.base()).withCaFile(ca)), "leo", Duration.ofSeconds(30))
        .isSuccess()).isTrue();
    MfaOutcome untrusted = once(provider(PushSettings.of(server.base())), "leo", Duration.ofSeconds(30));
    assertThat(untrusted.status()).isEqualTo(MfaStatus.FAILED);
    assertThat(untrusted.reason()).contains("TLS failed").contains("ca-file");

    Files.writeString(dir.resolve("empty.pem"), "");
    assertThatThrownBy(() -> new PushMfaProvider(PushSettings.of(server.base()).withCaFile(dir.resolve("empty.pem"))))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID));
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
