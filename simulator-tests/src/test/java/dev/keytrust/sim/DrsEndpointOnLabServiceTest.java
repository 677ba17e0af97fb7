package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.endpoint.drs.DrsLabSeam;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.LabCertificates;
import dev.keytrust.lab.LabKeyService;
import dev.keytrust.lab.LabKeyService.ObservedRequest;
import dev.keytrust.lab.TestKeys;
import dev.keytrust.lab.faults.Fault;
import dev.keytrust.lab.keyservice.RegisteredKey;
import dev.keytrust.lab.keyservice.TokenClaims;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The DRS-style HTTPS registration endpoint (found by URI scheme, as the CLI finds it) against the
 * real lab key service on loopback, over TLS with the lab CA. Every test also checks what the
 * service holds afterwards: one registration or none, never a duplicate.
 */
class DrsEndpointOnLabServiceTest {
  private static final String UPN = "alice@keytrust.lab";
  private static final String OTHER_UPN = "bob@keytrust.lab";

  @TempDir Path dir;
  private LabCertificates certs;
  private LabKeyService service;
  private UUID deviceId;
  private String token;
  private Path tokenFile;
  private final List<String> logs = new ArrayList<>();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger keytrustLogger = (Logger) LoggerFactory.getLogger("dev.keytrust");
  private Level levelBefore;

  @BeforeEach
  void start() throws Exception {
    levelBefore = keytrustLogger.getLevel();
    appender.start();
    keytrustLogger.addAppender(appender);
    keytrustLogger.setLevel(Level.DEBUG);
    certs = LabCertificates.create(dir.resolve("pki"));
    service = LabKeyService.start(certs);
    deviceId = UUID.randomUUID();
    token = service.issueToken(UPN, deviceId);
    tokenFile = secretFile("token", token);
  }

  @AfterEach
  void stop() {
    service.close();
    keytrustLogger.detachAppender(appender);
    keytrustLogger.setLevel(levelBefore);
    // whatever a test did, no token reached a log line
    assertThat(logTexts()).allSatisfy(line -> assertThat(line).doesNotContain(token));
  }

  // ---- fixtures ----

  private Path secretFile(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private Map<String, String> settings(String... extra) {
    Map<String, String> s = new HashMap<>();
    s.put("token-file", tokenFile.toString());
    s.put("ca-file", certs.caFile().toString());
    s.put("connect-timeout", "5s");
    s.put("request-timeout", "5s");
    for (int i = 0; i < extra.length; i += 2) {
      if (extra[i + 1] == null) {
        s.remove(extra[i]);
      } else {
        s.put(extra[i], extra[i + 1]);
      }
    }
    return s;
  }

  private KeyRegistrationEndpoint open(String... extra) throws KeytrustException {
    return KeyRegistrationEndpoints.open(service.baseUri(), new EndpointSettings(settings(extra)));
  }

  private RegistrationReceipt register(KeyRegistration r, String... extra) throws Exception {
    try (KeyRegistrationEndpoint endpoint = open(extra)) {
      return endpoint.register(r);
    }
  }

  private KeyRegistration alicesKey() {
    return TestKeys.registration(UPN, 0, deviceId);
  }

  private List<String> logTexts() {
    return appender.list.stream().map(DrsEndpointOnLabServiceTest::text).collect(Collectors.toList());
  }

  private static String text(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(e.getFormattedMessage()).append(' ')
        .append(Arrays.toString(e.getArgumentArray()));
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return sb.toString();
  }

  private List<ObservedRequest> posts() {
    return service.requests().stream().filter(r -> r.method().equals("POST")).toList();
  }

  /** The service holds exactly one registration: this key, for this user. */
  private RegisteredKey assertRegisteredOnce(KeyRegistration r, String upn) {
    assertThat(service.registrations()).hasSize(1);
    RegisteredKey key = service.registrations().get(0);
    assertThat(key.keyIdBase64()).isEqualTo(r.keyIdBase64());
    assertThat(key.keyMaterial()).isEqualTo(r.keyMaterial());
    assertThat(key.upn()).isEqualTo(upn);
    return key;
  }

  private void assertNothingRegistered() {
    assertThat(service.registrations()).isEmpty();
  }

  private ThrowingConsumer<Throwable> error(ErrorCode code, String... fragments) {
    return t -> {
      assertThat(t).isInstanceOf(KeytrustException.class);
      assertThat(((KeytrustException) t).code()).isEqualTo(code);
      assertThat(t.getMessage()).contains(fragments).doesNotContain(token);
      for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
        assertThat(String.valueOf(c.getMessage())).doesNotContain(token);
      }
    };
  }

  // ---- success and idempotence ----

  @Test
  void registersTheKeyAndKeepsTheServersKidAndUpn() throws Exception {
    KeyRegistration r = alicesKey();

    RegistrationReceipt receipt = register(r);

    RegisteredKey key = assertRegisteredOnce(r, UPN);
    assertThat(key.deviceId()).isEqualTo(deviceId);
    assertThat(receipt.serverKeyId()).isEqualTo(key.kid().toString());
    assertThat(receipt.userPrincipalName()).isEqualTo(UPN);
    assertThat(receipt.keyIdBase64()).isEqualTo(r.keyIdBase64());
    assertThat(receipt.alreadyPresent()).isFalse();
    assertThat(receipt.endpoint()).isEqualTo(service.baseUri() + LabKeyService.KEY_PATH);
    ObservedRequest post = posts().get(0);
    assertThat(posts()).hasSize(1);
    assertThat(post.status()).isEqualTo(200);
    assertThat(post.query()).isEqualTo("api-version=1.0");
    assertThat(post.header("client-request-id")).hasValue(receipt.requestId());
    assertThat(post.hadAuthorization()).isTrue();
  }

  @Test
  void registeringTheSameKeyTwiceIsIdempotent() throws Exception {
    KeyRegistration r = alicesKey();

    RegistrationReceipt first = register(r);
    RegistrationReceipt second = register(r);

    assertRegisteredOnce(r, UPN);
    assertThat(second.serverKeyId()).isEqualTo(first.serverKeyId());
    assertThat(first.alreadyPresent()).isFalse();
    assertThat(second.alreadyPresent()).isTrue();
    assertThat(posts()).hasSize(2).allSatisfy(p -> assertThat(p.status()).isEqualTo(200));
  }

  @Test
  void unregisterRemovesTheKeyAndIsIdempotent() throws Exception {
    KeyRegistration r = alicesKey();
    try (KeyRegistrationEndpoint endpoint = open()) {
      endpoint.register(r);
      endpoint.unregister(r);
      endpoint.unregister(r);
    }
    assertNothingRegistered();
    assertThat(service.requests()).filteredOn(q -> q.method().equals("DELETE")).hasSize(2)
        .allSatisfy(q -> assertThat(q.status()).isEqualTo(204));
  }

  // ---- refusals ----

  @Test
  void a400IsAClearErrorQuotingTheServersCodeAndMessage() throws Exception {
    service.injectFaults(
        Fault.kppError(400, "invalid_kngc", "kngc is not a usable RSA public key: lab says no."));

    assertThatThrownBy(() -> register(alicesKey()))
        .satisfies(error(AgentErrorCode.DRS_REQUEST_REJECTED, "HTTP 400", "'invalid_kngc'",
            "kngc is not a usable RSA public key: lab says no."));
    assertNothingRegistered();
    assertThat(posts()).hasSize(1); // 400 is not retried
  }

  @Test
  void aKeyOfAnotherUserIsRefusedWithTheServersKeyInUse() throws Exception {
    KeyRegistration alices = alicesKey();
    register(alices);
    Path bobsToken = secretFile("bob-token", service.issueToken(OTHER_UPN, UUID.randomUUID()));

    assertThatThrownBy(
            () -> register(TestKeys.registration(OTHER_UPN, 0, deviceId),
                "token-file", bobsToken.toString()))
        .satisfies(error(AgentErrorCode.DRS_REQUEST_REJECTED, "'key_in_use'",
            "registered to another user"));
    assertRegisteredOnce(alices, UPN);
  }

  @Test
  void a401IsAClearErrorQuotingTheServersCodeAndMessage() throws Exception {
    service.injectFaults(Fault.kppError(401, "invalid_token", "The token was revoked."));

    assertThatThrownBy(() -> register(alicesKey()))
        .satisfies(error(AgentErrorCode.DRS_UNAUTHORIZED, "HTTP 401", "'invalid_token'",
            "The token was revoked.", "token file " + tokenFile));
    assertNothingRegistered();
    assertThat(posts()).hasSize(1);
  }

  @Test
  void anExpiredTokenIsRefusedByTheServiceAndNamed() throws Exception {
    String expired = service.issueToken(
        new TokenClaims(UPN, deviceId, List.of("pwd", "ngcmfa"), Instant.now().minusSeconds(60)));
    Path f = secretFile("expired", expired);

    assertThatThrownBy(() -> register(alicesKey(), "token-file", f.toString()))
        .satisfies(error(AgentErrorCode.DRS_UNAUTHORIZED, "'token_expired'", "has expired"))
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain(expired));
    assertNothingRegistered();
  }

  @Test
  void aForgedTokenIsRefusedByTheService() throws Exception {
    String forged;
    try (LabKeyService other = LabKeyService.start(certs)) {
      forged = other.issueToken(UPN, deviceId); // right claims, another service's key
    }
    Path f = secretFile("forged", forged);

    assertThatThrownBy(() -> register(alicesKey(), "token-file", f.toString()))
        .satisfies(error(AgentErrorCode.DRS_UNAUTHORIZED, "'invalid_token'", "signature"))
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain(forged));
    assertNothingRegistered();
  }

  @Test
  void aTokenWithoutNgcmfaIsRefusedByTheService() throws Exception {
    Path f = secretFile("pwd-only", service.issueToken(
        new TokenClaims(UPN, deviceId, List.of("pwd"), Instant.now().plusSeconds(600))));

    assertThatThrownBy(() -> register(alicesKey(), "token-file", f.toString()))
        .satisfies(error(AgentErrorCode.DRS_UNAUTHORIZED, "'insufficient_claims'", "ngcmfa"));
    assertNothingRegistered();
  }

  // ---- retries ----

  @Test
  void a500IsRetriedAndTheKeyRegisteredOnce() throws Exception {
    service.injectFaults(Fault.kppError(500, "internal_server_error", "Try again."));
    KeyRegistration r = alicesKey();

    RegistrationReceipt receipt = register(r);

    assertRegisteredOnce(r, UPN);
    assertThat(receipt.alreadyPresent()).isFalse();
    assertThat(posts()).extracting(ObservedRequest::status).containsExactly(500, 200);
    assertThat(posts()).extracting(p -> p.header("client-request-id").orElseThrow())
        .containsOnly(receipt.requestId()); // the same id on the retry
    assertThat(logTexts()).anySatisfy(l -> assertThat(l).contains("HTTP 500", "retrying"));
  }

  @Test
  void a500AfterTheServerStoredTheKeyIsRetriedWithoutADuplicate() throws Exception {
    service.injectFaults(
        Fault.kppError(503, "service_unavailable", "Answer lost.").afterProcessing());
    KeyRegistration r = alicesKey();

    RegistrationReceipt receipt = register(r);

    RegisteredKey key = assertRegisteredOnce(r, UPN);
    assertThat(receipt.serverKeyId()).isEqualTo(key.kid().toString());
    assertThat(receipt.alreadyPresent()).isTrue();
    assertThat(posts()).extracting(ObservedRequest::status).containsExactly(503, 200);
  }

  @Test
  void a500ThatPersistsEndsWithTheServersWordsAfterMaxAttempts() throws Exception {
    service.injectFaults(
        Fault.kppError(500, "internal_server_error", "Database down."),
        Fault.kppError(500, "internal_server_error", "Database down."));

    assertThatThrownBy(() -> register(alicesKey(), "max-attempts", "2"))
        .satisfies(error(AgentErrorCode.DRS_SERVER_ERROR, "2 attempts", "HTTP 500",
            "'internal_server_error'", "Database down."));
    assertNothingRegistered();
    assertThat(posts()).hasSize(2);
  }

  @Test
  void a429WithRetryAfterIsHonoured() throws Exception {
    service.injectFaults(
        Fault.kppError(429, "throttled", "Too many requests.").withHeader("Retry-After", "2"));
    KeyRegistration r = alicesKey();

    register(r);

    assertRegisteredOnce(r, UPN);
    List<ObservedRequest> posts = posts();
    assertThat(posts).extracting(ObservedRequest::status).containsExactly(429, 200);
    // the computed backoff would be 250-500 ms; the server asked for 2 s
    assertThat(Duration.between(posts.get(0).receivedAt(), posts.get(1).receivedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1950));
    assertThat(logTexts()).anySatisfy(l -> assertThat(l).contains("HTTP 429", "(Retry-After)"));
  }

  @Test
  void a429WithRetryAfterBeyondTheBudgetStopsAtOnce() throws Exception {
    service.injectFaults(
        Fault.kppError(429, "throttled", "Come back later.").withHeader("Retry-After", "120"));

    assertThatThrownBy(() -> register(alicesKey(), "max-retry-time", "5s"))
        .satisfies(error(AgentErrorCode.DRS_SERVER_ERROR, "HTTP 429", "'throttled'",
            "asked to wait 120", "max-retry-time"));
    assertNothingRegistered();
    assertThat(posts()).hasSize(1);
  }

  @Test
  void aServerThatDoesNotAnswerInTimeIsATimeout() throws Exception {
    service.injectFaults(Fault.kppError(200, "unused", "unused").withDelay(Duration.ofSeconds(4)));

    long start = System.nanoTime();
    assertThatThrownBy(() -> register(alicesKey(), "request-timeout", "1s", "max-attempts", "1"))
        .satisfies(error(AgentErrorCode.DRS_TIMED_OUT, "request-timeout=1", "1 attempt"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertNothingRegistered();
  }

  @Test
  void aTimeoutAfterTheServerStoredTheKeyIsRetriedWithoutADuplicate() throws Exception {
    service.injectFaults(Fault.delay(Duration.ofSeconds(3))); // carried out, answered late
    KeyRegistration r = alicesKey();

    RegistrationReceipt receipt = register(r, "request-timeout", "1s", "max-attempts", "3");

    assertRegisteredOnce(r, UPN);
    assertThat(receipt.alreadyPresent()).isTrue();
    assertThat(posts()).hasSize(2);
  }

  // ---- malformed answers ----

  @Test
  void aGarbageBodyIsMalformed() throws Exception {
    service.injectFaults(Fault.garbage(200));

    assertThatThrownBy(() -> register(alicesKey()))
        .satisfies(error(AgentErrorCode.DRS_RESPONSE_MALFORMED, "not a KPP receipt", "not valid JSON"));
    assertNothingRegistered();
    assertThat(posts()).hasSize(1);
  }

  @Test
  void aGarbageErrorBodyStillGivesAClearError() throws Exception {
    service.injectFaults(Fault.garbage(400));

    assertThatThrownBy(() -> register(alicesKey()))
        .satisfies(error(AgentErrorCode.DRS_REQUEST_REJECTED, "HTTP 400", "no KPP error"));
    assertNothingRegistered();
  }

  @Test
  void aTenMegabyteBodyWithContentLengthIsRefusedUnread() throws Exception {
    service.injectFaults(Fault.oversized(200, true));

    long start = System.nanoTime();
    assertThatThrownBy(() -> register(alicesKey()))
        .satisfies(error(AgentErrorCode.DRS_RESPONSE_MALFORMED, "larger than 65536 bytes",
            "Content-Length " + LabKeyService.OVERSIZED_BODY));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertNothingRegistered();
    assertThat(posts()).hasSize(1); // not retried
  }

  @Test
  void aTenMegabyteChunkedBodyIsCutOffAtTheLimit() throws Exception {
    service.injectFaults(Fault.oversized(500, false));

    assertThatThrownBy(() -> register(alicesKey()))
        .satisfies(error(AgentErrorCode.DRS_RESPONSE_MALFORMED, "larger than 65536 bytes"));
    assertNothingRegistered();
    assertThat(posts()).hasSize(1);
  }

  // ---- TLS ----

  @Test
  void theLabCaFileIsTrusted() throws Exception {
    KeyRegistration r = alicesKey();
    register(r, "ca-file", certs.caFile().toString());
    assertRegisteredOnce(r, UPN);
  }

  @Test
  void aWrongCaIsRefusedClearlyBeforeAnyRequest() throws Exception {
    LabCertificates other = LabCertificates.create(dir.resolve("other-pki"));

    assertThatThrownBy(() -> register(alicesKey(), "ca-file", other.caFile().toString()))
        .satisfies(error(AgentErrorCode.DRS_TLS_UNTRUSTED, "not trusted", other.caFile().toString()));
    assertNothingRegistered();
    assertThat(service.requests()).isEmpty(); // the token never left
  }

  @Test
  void withoutCaFileTheJvmTrustStoreRefusesTheLabCertificate() throws Exception {
    assertThatThrownBy(() -> register(alicesKey(), "ca-file", null))
        .satisfies(error(AgentErrorCode.DRS_TLS_UNTRUSTED, "not trusted", "ca-file=<PEM file"));
    assertNothingRegistered();
    assertThat(service.requests()).isEmpty();
  }

  // ---- token sources, never logged ----

  @Test
  void tokenFromFileIsSentAndNeverLogged() throws Exception {
    KeyRegistration r = alicesKey();
    register(r);
    assertRegisteredOnce(r, UPN);
    assertThat(logTexts()).isNotEmpty().noneSatisfy(l -> assertThat(l).contains(token));
  }

  @Test
  void tokenFromEnvironmentIsSentAndNeverLogged() throws Exception {
    Function<String, String> env = name -> name.equals("KT_LAB_TOKEN") ? token : null;
    Map<String, String> s = settings("token-file", null, "token-env", "KT_LAB_TOKEN");
    KeyRegistration r = alicesKey();

    try (KeyRegistrationEndpoint endpoint =
        DrsLabSeam.open(service.baseUri(), new EndpointSettings(s), env)) {
      assertThat(endpoint.toString()).doesNotContain(token).contains("KT_LAB_TOKEN");
      endpoint.register(r);
    }

    assertRegisteredOnce(r, UPN);
    assertThat(logTexts()).isNotEmpty().noneSatisfy(l -> assertThat(l).contains(token));
  }

  @Test
  void tokenFromCommandIsSentAndNeverLogged() throws Exception {
    Path script = dir.resolve("print-token.sh");
    Files.writeString(script, "#!/bin/sh\ncat '" + tokenFile + "'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    KeyRegistration r = alicesKey();

    register(r, "token-file", null, "token-command", script.toString());

    assertRegisteredOnce(r, UPN);
    assertThat(logTexts()).isNotEmpty().noneSatisfy(l -> assertThat(l).contains(token));
  }

  @Test
  void aServerEchoingTheTokenDoesNotGetItIntoMessagesOrLogs() throws Exception {
    service.injectFaults(
        Fault.kppError(500, "echo", "You sent " + token + "."),
        Fault.kppError(401, "echo", "Bad token " + token + "."));

    assertThatThrownBy(() -> register(alicesKey()))
        .satisfies(error(AgentErrorCode.DRS_UNAUTHORIZED, "Bad token <token>."));
    assertNothingRegistered();
    assertThat(logTexts()).noneSatisfy(l -> assertThat(l).contains(token));
  }
}
