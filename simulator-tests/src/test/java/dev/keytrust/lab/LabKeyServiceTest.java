package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytrust.lab.LabKeyService.ObservedRequest;
import dev.keytrust.lab.faults.Fault;
import dev.keytrust.lab.keyservice.RegisteredKey;
import dev.keytrust.lab.keyservice.RegistrationListener;
import dev.keytrust.lab.keyservice.TokenClaims;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab key service's own protocol checks, with a plain JDK HTTP client (no keytrust code on the
 * client side), read with an independent JSON reader (Jackson).
 */
class LabKeyServiceTest {
  private static final String UPN = "alice@keytrust.lab";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private LabCertificates certs;
  private LabKeyService service;
  private HttpClient client;
  private UUID deviceId;
  private String token;

  @BeforeEach
  void start() {
    certs = LabCertificates.create(dir.resolve("pki"));
    service = LabKeyService.start(certs);
    client = HttpClient.newBuilder().sslContext(certs.clientSslContext())
        .connectTimeout(Duration.ofSeconds(5)).build();
    deviceId = UUID.randomUUID();
    token = service.issueToken(UPN, deviceId);
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private void assertNothingRegistered() {
    assertThat(service.registrations()).isEmpty();
  }

  // ---- helpers ----

  private URI keyUri(String query) {
    return URI.create(service.baseUri() + LabKeyService.KEY_PATH + (query == null ? "" : "?" + query));
  }

  private static String kngcBody(int key) {
    return "{\"kngc\":\"" + Base64.getEncoder().encodeToString(material(key)) + "\"}";
  }

  private static byte[] material(int key) {
    return TestKeys.registration(UPN, key, null).keyMaterial();
  }

  /** A request with every header right; callers override what they test. */
  private HttpRequest.Builder post(String body) {
    return HttpRequest.newBuilder(keyUri("api-version=1.0"))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> sendWith(String token, String body) throws Exception {
    return send(post(body).setHeader("Authorization", "Bearer " + token));
  }

  /** Status, KPP ErrorDetails shape and code. */
  private static JsonNode assertError(HttpResponse<String> r, int status, String code)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
        v -> assertThat(v).startsWith("application/json"));
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("code").asText()).isEqualTo(code);
    assertThat(body.path("message").asText()).isNotBlank();
    assertThat(body.path("response").asText()).isEqualTo("ERROR_FAIL");
    assertThat(body.has("target")).isTrue();
    assertThat(Instant.parse(body.path("time").asText())).isNotNull();
    assertThat(body.path("innererror").path("trace").asText()).isNotBlank();
    return body;
  }

  /** A real 401 (not an injected fault): ErrorDetails, request-id and WWW-Authenticate. */
  private static void assertUnauthorized(HttpResponse<String> r, String code) throws Exception {
    assertError(r, 401, code);
    assertThat(r.headers().firstValue("request-id")).isPresent();
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer error=\"invalid_token\""));
  }

  // ---- success ----

  @Test
  void registersAKeyAndAnswersKidUpnAndHeaders() throws Exception {
    List<RegisteredKey> seen = new CopyOnWriteArrayList<>();
    service.addListener(seen::add);

    HttpResponse<String> r = send(post(kngcBody(0)).header("client-request-id", "abc")
        .header("return-client-request-id", "true"));

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("upn").asText()).isEqualTo(UPN);
    UUID kid = UUID.fromString(body.path("kid").asText());
    assertThat(r.headers().firstValue(LabKeyService.KEY_STATE_HEADER)).hasValue("created");
    assertThat(r.headers().firstValue("client-request-id")).hasValue("abc");
    assertThat(r.headers().firstValue("request-id")).isPresent();
    RegisteredKey key = service.registrations().get(0);
    assertThat(service.registrations()).hasSize(1);
    assertThat(key.kid()).isEqualTo(kid);
    assertThat(key.deviceId()).isEqualTo(deviceId);
    assertThat(key.keyMaterial()).isEqualTo(material(0));
    assertThat(service.registration(key.keyId())).hasValue(key);
    assertThat(seen).containsExactly(key);
  }

  @Test
  void theSameKeyAgainGivesTheSameKidAndNoSecondRegistration() throws Exception {
    List<RegisteredKey> seen = new CopyOnWriteArrayList<>();
    service.addListener(seen::add);

    String first = JSON.readTree(send(post(kngcBody(0))).body()).path("kid").asText();
    HttpResponse<String> again = send(post(kngcBody(0)));

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(again.body()).path("kid").asText()).isEqualTo(first);
    assertThat(again.headers().firstValue(LabKeyService.KEY_STATE_HEADER)).hasValue("existing");
    assertThat(service.registrations()).hasSize(1);
    assertThat(seen).hasSize(1); // listeners hear of the first registration only
  }

  @Test
  void apiVersionAsAHeaderAndContentTypeWithCharsetAreAccepted() throws Exception {
    HttpResponse<String> r = send(post(kngcBody(0)).uri(keyUri(null)).header("api-version", "1.0")
        .setHeader("Content-Type", "application/json; charset=utf-8"));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void requestsAreRecordedWithoutTheAuthorizationHeader() throws Exception {
    send(post(kngcBody(0)));

    ObservedRequest q = service.requests().get(0);
    assertThat(q.method()).isEqualTo("POST");
    assertThat(q.path()).isEqualTo(LabKeyService.KEY_PATH);
    assertThat(q.query()).isEqualTo("api-version=1.0");
    assertThat(q.status()).isEqualTo(200);
    assertThat(q.hadAuthorization()).isTrue();
    assertThat(q.headers()).doesNotContainKey("authorization");
    assertThat(q.headers().toString()).doesNotContain(token);
    assertThat(q.header("Accept")).hasValue("application/json");
  }

  // ---- tokens: 401 ----

  @Test
  void aMissingTokenIs401() throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(keyUri("api-version=1.0"))
        .header("Accept", "application/json").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(kngcBody(0)));
    assertUnauthorized(send(b), "missing_token");
    assertThat(service.requests().get(0).hadAuthorization()).isFalse();
    assertNothingRegistered();
  }

  @Test
  void anAuthorizationThatIsNotBearerIs401() throws Exception {
    assertUnauthorized(send(post(kngcBody(0)).setHeader("Authorization", "Basic YTpi")),
        "missing_token");
    assertNothingRegistered();
  }

  @Test
  void aForgedSignatureIs401() throws Exception {
    String[] parts = token.split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
    sig[0] ^= 1;
    String forged = parts[0] + "." + parts[1] + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    assertUnauthorized(sendWith(forged, kngcBody(0)), "invalid_token");
    assertNothingRegistered();
  }

  @Test
  void aTokenWithChangedClaimsIs401() throws Exception {
    String[] parts = token.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace(UPN, "mallory@keytrust.lab");
    String forged = parts[0] + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8))
        + "." + parts[2];
    assertUnauthorized(sendWith(forged, kngcBody(0)), "invalid_token");
    assertNothingRegistered();
  }

  @Test
  void aTokenOfAnotherServiceIs401() throws Exception {
    String foreign;
    try (LabKeyService other = LabKeyService.start(certs)) {
      foreign = other.issueToken(UPN, deviceId);
    }
    assertUnauthorized(sendWith(foreign, kngcBody(0)), "invalid_token");
    assertNothingRegistered();
  }

  @Test
  void anUnsignedAlgNoneTokenIs401() throws Exception {
    String[] parts = token.split("\\.");
    String none = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    assertUnauthorized(sendWith(none + "." + parts[1] + ".", kngcBody(0)), "invalid_token");
    assertNothingRegistered();
  }

  @Test
  void notAJwtIs401() throws Exception {
    assertUnauthorized(sendWith("abc", kngcBody(0)), "invalid_token");
    assertNothingRegistered();
  }

  @Test
  void anExpiredTokenIs401() throws Exception {
    String expired = service.issueToken(
        new TokenClaims(UPN, deviceId, List.of("pwd", "ngcmfa"), Instant.now().minusSeconds(1)));
    assertUnauthorized(sendWith(expired, kngcBody(0)), "token_expired");
    assertNothingRegistered();
  }

  @Test
  void missingClaimsAre401() throws Exception {
    Instant exp = Instant.now().plusSeconds(600);
    assertUnauthorized(sendWith(service.issueToken(
        new TokenClaims(UPN, deviceId, List.of("pwd", "mfa"), exp)), kngcBody(0)),
        "insufficient_claims");
    assertUnauthorized(sendWith(service.issueToken(
        new TokenClaims(UPN, null, List.of("ngcmfa"), exp)), kngcBody(0)),
        "insufficient_claims");
    assertUnauthorized(sendWith(service.issueToken(
        new TokenClaims(null, deviceId, List.of("ngcmfa"), exp)), kngcBody(0)),
        "insufficient_claims");
    assertNothingRegistered();
  }

  // ---- protocol: 400 ----

  @Test
  void aWrongApiVersionIs400() throws Exception {
    assertError(send(post(kngcBody(0)).uri(keyUri("api-version=2.0"))), 400, "invalid_api_version");
    assertError(send(post(kngcBody(0)).uri(keyUri(null))), 400, "invalid_api_version");
    JsonNode both = assertError(
        send(post(kngcBody(0)).header("api-version", "1.0")), 400, "invalid_api_version");
    assertThat(both.path("target").asText()).isEqualTo("api-version");
    assertThat(service.registrations()).isEmpty();
  }

  @Test
  void aWrongAcceptIs400() throws Exception {
    assertError(send(post(kngcBody(0)).setHeader("Accept", "text/html")), 400, "invalid_accept");
    assertError(send(post(kngcBody(0)).setHeader("Accept", "*/*")), 400, "invalid_accept");
    assertThat(service.registrations()).isEmpty();
  }

  @Test
  void aWrongContentTypeIs400() throws Exception {
    assertError(send(post(kngcBody(0)).setHeader("Content-Type", "text/plain")), 400,
        "invalid_content_type");
    assertThat(service.registrations()).isEmpty();
  }

  @Test
  void bodiesThatAreNotAKngcObjectAre400() throws Exception {
    assertError(send(post("not json")), 400, "invalid_request");
    assertError(send(post("[\"kngc\"]")), 400, "invalid_request");
    assertError(send(post("{\"kngc\":1}")), 400, "invalid_request");
    assertError(send(post("{\"kngc\":\"a\",\"kngc\":\"b\"}")), 400, "invalid_request");
    assertError(send(post("{\"kngc\":\"" + "A".repeat(70_000) + "\"}")), 400, "invalid_request");
    assertThat(service.registrations()).isEmpty();
  }

  @Test
  void aKngcThatIsNotAnRsa2048BlobIs400() throws Exception {
    assertError(send(post("{\"kngc\":\"***\"}")), 400, "invalid_kngc");
    byte[] ecs1 = material(0).clone();
    ecs1[0] = 'E';
    assertError(send(post("{\"kngc\":\"" + Base64.getEncoder().encodeToString(ecs1) + "\"}")),
        400, "invalid_kngc");
    byte[] truncated = java.util.Arrays.copyOf(material(0), 200);
    assertError(send(post("{\"kngc\":\"" + Base64.getEncoder().encodeToString(truncated) + "\"}")),
        400, "invalid_kngc");
    assertThat(service.registrations()).isEmpty();
  }

  @Test
  void aKeyOfAnotherUserIsKeyInUse() throws Exception {
    send(post(kngcBody(0)));
    String bob = service.issueToken("bob@keytrust.lab", UUID.randomUUID());

    JsonNode body = assertError(sendWith(bob, kngcBody(0)), 400, "key_in_use");

    assertThat(body.path("target").asText()).isEqualTo("kngc");
    assertThat(service.registrations()).extracting(RegisteredKey::upn).containsExactly(UPN);
  }

  @Test
  void otherMethodsAndPathsAreRefused() throws Exception {
    // GET lists the token user's keys (keytrust's extension, DrsListingOnLabServiceTest); PUT is refused
    HttpResponse<String> put = send(post("").method("PUT", HttpRequest.BodyPublishers.ofString("{}")));
    assertError(put, 405, "method_not_allowed");
    assertThat(put.headers().firstValue("allow")).hasValue("GET, POST");
    assertThat(send(post("").GET()).body()).isEqualTo("{\"value\":[]}");
    assertError(send(post(kngcBody(0)).uri(URI.create(service.baseUri() + "/other"))), 404,
        "not_found");
  }

  // ---- removal ----

  private HttpRequest.Builder delete(String keyIdSegment, String withToken) {
    return HttpRequest.newBuilder(URI.create(service.baseUri() + LabKeyService.KEY_PATH
            + keyIdSegment + "?api-version=1.0"))
        .header("Authorization", "Bearer " + withToken)
        .header("Accept", "application/json")
        .DELETE();
  }

  @Test
  void deleteRemovesTheUsersKeyTellsListenersAndIsIdempotent() throws Exception {
    List<RegisteredKey> removed = new ArrayList<>();
    service.addListener(new RegistrationListener() {
      @Override
      public void registered(RegisteredKey key) {}

      @Override
      public void removed(RegisteredKey key) {
        removed.add(key);
      }
    });
    send(post(kngcBody(0)));
    RegisteredKey key = service.registrations().get(0);
    String segment = Base64.getUrlEncoder().withoutPadding().encodeToString(key.keyId());

    assertThat(send(delete(segment, token)).statusCode()).isEqualTo(204);
    assertThat(send(delete(segment, token)).statusCode()).isEqualTo(204);

    assertThat(service.registrations()).isEmpty();
    assertThat(removed).containsExactly(key);
  }

  @Test
  void deleteOfAnotherUsersKeyIs403AndABadKeyIdIs400() throws Exception {
    send(post(kngcBody(0)));
    RegisteredKey key = service.registrations().get(0);
    String segment = Base64.getUrlEncoder().withoutPadding().encodeToString(key.keyId());
    String bob = service.issueToken("bob@keytrust.lab", UUID.randomUUID());

    assertError(send(delete(segment, bob)), 403, "key_owned_by_another_user");
    assertError(send(delete("abc", token)), 400, "invalid_key_id");
    assertError(send(delete(Base64.getUrlEncoder().encodeToString(key.keyId()), token)), 400,
        "invalid_key_id"); // padded
    assertUnauthorized(send(delete(segment, "abc")), "invalid_token");
    assertThat(service.registrations()).containsExactly(key);
  }

  // ---- faults ----

  @Test
  void faultsShapeTheNextResponsesInOrder() throws Exception {
    service.injectFaults(
        Fault.kppError(503, "busy", "Later.").withHeader("Retry-After", "7"),
        Fault.garbage(200));
    assertThat(service.pendingFaults()).isEqualTo(2);

    HttpResponse<String> first = send(post(kngcBody(0)));
    HttpResponse<String> second = send(post(kngcBody(0)));
    HttpResponse<String> third = send(post(kngcBody(0)));

    assertError(first, 503, "busy");
    assertThat(first.headers().firstValue("retry-after")).hasValue("7");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).startsWith("}{");
    assertThat(third.headers().firstValue(LabKeyService.KEY_STATE_HEADER)).hasValue("created");
    assertThat(service.pendingFaults()).isZero();
    assertThat(service.requests()).extracting(ObservedRequest::fault)
        .containsExactly(true, true, false);
    assertThat(service.registrations()).hasSize(1); // faults without afterProcessing store nothing
  }

  @Test
  void oversizedBodiesAreTenMegabytes() throws Exception {
    service.injectFaults(Fault.oversized(200, true), Fault.oversized(200, false));

    HttpResponse<byte[]> declared =
        client.send(post(kngcBody(0)).build(), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> chunked =
        client.send(post(kngcBody(0)).build(), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(declared.body()).hasSize(LabKeyService.OVERSIZED_BODY);
    assertThat(declared.headers().firstValueAsLong("content-length"))
        .hasValue(LabKeyService.OVERSIZED_BODY);
    assertThat(chunked.body()).hasSize(LabKeyService.OVERSIZED_BODY);
    assertThat(chunked.headers().firstValue("content-length")).isEmpty();
  }

  @Test
  void closeEndsADelayedAnswer() throws Exception {
    service.injectFaults(Fault.delay(Duration.ofMinutes(5)));
    CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(post(kngcBody(0)).timeout(Duration.ofMinutes(1)).build(),
            HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (service.requests().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    long start = System.nanoTime();
    service.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(service.toString()).contains("stopped");
  }
}
