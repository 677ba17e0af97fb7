package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.mfa.MfaChallenge;
import dev.keytrust.agent.mfa.MfaOutcome;
import dev.keytrust.agent.mfa.MfaStatus;
import dev.keytrust.agent.mfa.PushMfaProvider;
import dev.keytrust.agent.mfa.PushSettings;
import dev.keytrust.lab.LabCertificates;
import dev.keytrust.lab.LabKeyService;
import dev.keytrust.lab.push.PushRequest;
import dev.keytrust.lab.push.PushStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab key service's push MFA endpoint with keytrust's real {@link PushMfaProvider} over HTTPS
 * (lab CA, bearer token files): approved automatically after a delay, approved or denied by the
 * test's call, approved over HTTP, left pending until the provider times out, and refused tokens.
 */
class DemoPushMfaOnLabServiceTest {
  private static final String ALICE = "alice@keytrust.lab";
  private static final String BOB = "bob@keytrust.lab";

  @TempDir Path dir;
  private LabCertificates certs;
  private LabKeyService service;
  private Path aliceToken;
  private Path bobToken;

  @BeforeEach
  void start() throws Exception {
    certs = LabCertificates.create(dir.resolve("pki"));
    service = LabKeyService.start(certs);
    aliceToken = tokenFile("alice.token", service.issueToken(ALICE, UUID.randomUUID()));
    bobToken = tokenFile("bob.token", service.issueToken(BOB, UUID.randomUUID()));
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private Path tokenFile(String name, String token) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, token + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private PushMfaProvider provider(Path token) throws AgentException {
    PushSettings s = PushSettings.of(service.pushUri()).withCaFile(certs.caFile())
        .withPollInterval(Duration.ofMillis(50)).withRequestTimeout(Duration.ofSeconds(5));
    return new PushMfaProvider(token == null ? s : s.withTokenFile(token));
  }

  /** The id of the one pending request, waiting for it to arrive. */
  private String pendingId() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      List<PushRequest> pending = service.pushRequests().stream()
          .filter(p -> p.status() == PushStatus.PENDING).toList();
      if (!pending.isEmpty()) {
        assertThat(pending).hasSize(1);
        return pending.get(0).id();
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no pending push request");
  }

  @Test
  void autoApproveApprovesAfterTheDelaySoTheAgentWaits() throws Exception {
    service.autoApprovePush(Duration.ofMillis(600));
    long t = System.nanoTime();
    try (PushMfaProvider p = provider(aliceToken); MfaChallenge c = p.start(ALICE)) {
      MfaOutcome outcome = c.await(Duration.ofSeconds(10));
      assertThat(outcome.status()).as(outcome.reason()).isEqualTo(MfaStatus.SUCCEEDED);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
    assertThat(service.pushRequests()).singleElement().satisfies(r -> {
      assertThat(r.upn()).isEqualTo(ALICE);
      assertThat(r.status()).isEqualTo(PushStatus.APPROVED);
      assertThat(r.decidedAt()).isAfterOrEqualTo(r.createdAt());
    });
    // every request carried the token; none was refused
    assertThat(service.requests()).allSatisfy(r -> {
      assertThat(r.hadAuthorization()).isTrue();
      assertThat(r.status()).isIn(200, 201);
    });
  }

  @Test
  void approvedByTheTestsCall() throws Exception {
    try (PushMfaProvider p = provider(aliceToken); MfaChallenge c = p.start(ALICE)) {
      String id = pendingId();
      CompletableFuture.runAsync(() -> {
        sleep(300);
        assertThat(service.approvePush(id)).isTrue();
      });
      assertThat(c.await(Duration.ofSeconds(10)).status()).isEqualTo(MfaStatus.SUCCEEDED);
      assertThat(service.approvePush(id)).as("decided once").isFalse();
      assertThat(service.denyPush(id)).isFalse();
    }
  }

  @Test
  void deniedByTheTestsCall() throws Exception {
    try (PushMfaProvider p = provider(aliceToken); MfaChallenge c = p.start(ALICE)) {
      String id = pendingId();
      CompletableFuture.runAsync(() -> {
        sleep(300);
        service.denyPush(id);
      });
      MfaOutcome outcome = c.await(Duration.ofSeconds(10));
      assertThat(outcome.status()).isEqualTo(MfaStatus.DENIED);
      assertThat(outcome.reason()).contains("denied");
    }
  }

  @Test
  void pendingUntilTheProviderTimesOut() throws Exception {
    long t = System.nanoTime();
    try (PushMfaProvider p = provider(aliceToken); MfaChallenge c = p.start(ALICE)) {
      MfaOutcome outcome = c.await(Duration.ofMillis(1200));
      assertThat(outcome.status()).isEqualTo(MfaStatus.TIMED_OUT);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t)).isBetween(Duration.ofMillis(1100), Duration.ofSeconds(8));
    assertThat(service.pushRequests()).singleElement()
        .satisfies(r -> assertThat(r.status()).isEqualTo(PushStatus.PENDING));
    assertThat(service.requests().stream().filter(r -> r.method().equals("GET")).count())
        .as("polled while pending").isGreaterThan(3);
  }

  @Test
  void approvedOverHttpWithTheUsersTokenOnly() throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(certs.clientSslContext()).build();
    try (PushMfaProvider p = provider(aliceToken); MfaChallenge c = p.start(ALICE)) {
      String id = pendingId();
      URI approve = URI.create(service.pushUri() + LabKeyService.PUSH_PATH + "/" + id + "/approve");
      // bob may neither see nor decide alice's request; no token is refused
      assertThat(post(http, approve, Files.readString(bobToken).strip()).statusCode()).isEqualTo(404);
      assertThat(post(http, approve, null).statusCode()).isEqualTo(401);
      HttpResponse<String> ok = post(http, approve, Files.readString(aliceToken).strip());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("\"status\":\"approved\"");
      assertThat(c.await(Duration.ofSeconds(10)).status()).isEqualTo(MfaStatus.SUCCEEDED);
      assertThat(post(http, approve, Files.readString(aliceToken).strip()).statusCode()).as("decided").isEqualTo(409);
      URI unknown = URI.create(service.pushUri() + LabKeyService.PUSH_PATH + "/AAAAAAAAAAAAAAAAAAAAAA");
      HttpResponse<String> none = http.send(HttpRequest.newBuilder(unknown)
          .header("Authorization", "Bearer " + Files.readString(aliceToken).strip()).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).isEqualTo(404);
    }
  }

  @Test
  void anotherUsersTokenOrNoTokenIsAConfigurationError() throws Exception {
    try (PushMfaProvider p = provider(bobToken)) {
      assertThatThrownBy(() -> p.start(ALICE)).isInstanceOfSatisfying(AgentException.class,
          e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID));
    }
    try (PushMfaProvider p = provider(null)) {
      assertThatThrownBy(() -> p.start(ALICE)).isInstanceOfSatisfying(AgentException.class,
          e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID));
    }
    assertThat(service.pushRequests()).isEmpty();
  }

  private static HttpResponse<String> post(HttpClient http, URI uri, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void sleep(long ms) {
    try {
      TimeUnit.MILLISECONDS.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
