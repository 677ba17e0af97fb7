package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.ListedKey;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.endpoint.drs.DrsResponses.MalformedResponseException;
import dev.keytrust.agent.endpoint.drs.DrsResponses.Receipt;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.key.KeyAlgorithm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DRS-style HTTPS key registration endpoint ([MS-KPP]), as {@link DrsEndpointProvider}
 * documents it: the protocol. One request per operation (register: {@code POST} of the {@code
 * kngc}; unregister: keytrust's {@code DELETE} extension; list: keytrust's {@code GET} extension), the answers it accepts (a KPP receipt
 * for the same user; 200/204 for a removal), and what it makes of them.
 *
 * <p>{@link DrsRetries} sends each request, retried with backoff and jitter on connection failures,
 * timeouts, 429 and 5xx within the configured attempt and time bounds; {@link DrsFailures} words
 * every error.
 */
final class DrsEndpoint implements KeyRegistrationEndpoint {
  /** keytrust extension: the lab service says {@code existing} when it already held the key. */
  static final String KEY_STATE_HEADER = "keytrust-key-state";
  static final String USER_AGENT = "keytrust (DRS key registration)";
  /** {@link ListedKey#source()} of the key service's registrations. */
  static final String KEY_SERVICE_SOURCE = "key service";

  private static final Logger LOG = LoggerFactory.getLogger(DrsEndpoint.class);

  private final DrsConfig config;
  private final DrsFailures failures;
  private final DrsRetries retries;
  private final ExecutorService executor;
  private final Clock clock;
  private volatile boolean closed;

  DrsEndpoint(
      DrsConfig config,
      HttpClient client,
      ExecutorService executor,
      Clock clock,
      DrsRetries.Sleeper sleeper,
      RandomGenerator random) {
    this.config = config;
    this.failures = new DrsFailures(config);
    this.retries =
        new DrsRetries(config, client, clock, sleeper, random, failures, this::ensureOpen);
    this.executor = executor;
    this.clock = clock;
  }

  @Override
  public RegistrationReceipt register(KeyRegistration registration) throws AgentException {
    ensureOpen();
    byte[] material = registration.keyMaterial();
    requireRsa1(material);
    BearerToken token = config.token().read();
    String requestId = UUID.randomUUID().toString();
    byte[] body =
        ("{\"kngc\":\"" + Base64.getEncoder().encodeToString(material) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    String what = "Registering key " + registration.keyIdBase64();
    HttpResponse<byte[]> response =
        exchange("POST", config.uris().register(), body, token, requestId, what);
    int status = response.statusCode();
    if (status != 200 && status != 201) {
      throw failures.refusal(response, token, what);
    }
    requireJson(response, what);
    Receipt receipt;
    try {
      receipt = DrsResponses.parseReceipt(response.body());
    } catch (MalformedResponseException e) {
      throw failures.notAReceipt(what, status, e);
    }
    if (!receipt.upn().equalsIgnoreCase(registration.userPrincipalName())) {
      throw failures.userMismatch(what, receipt, registration.userPrincipalName(), token);
    }
    boolean existing =
        response.headers().firstValue(KEY_STATE_HEADER)
            .map(v -> v.strip().equalsIgnoreCase("existing"))
            .orElse(false);
    LOG.info(
        "Registered key {} at {}: kid {}, upn {}{}",
        registration.keyIdBase64(), describe(), receipt.kid(), receipt.upn(),
        existing ? " (the server already held it)" : "");
    return new RegistrationReceipt(
        describe(),
        registration.keyIdBase64(),
        receipt.kid(),
        receipt.upn(),
        receipt.pctx(),
        requestId,
        existing,
        clock.instant());
  }

  @Override
  public void unregister(KeyRegistration registration) throws AgentException {
    ensureOpen();
    BearerToken token = config.token().read();
    String requestId = UUID.randomUUID().toString();
    String what = "Removing key " + registration.keyIdBase64();
    URI target = config.uris().unregister(registration.keyId());
    HttpResponse<byte[]> response = exchange("DELETE", target, null, token, requestId, what);
    int status = response.statusCode();
    if (status == 200 || status == 204) {
      LOG.info("Removed key {} at {} (or it was not there)", registration.keyIdBase64(), describe());
      return;
    }
    if (status == 404 || status == 405 || status == 501) {
      throw failures.unregisterUnsupported(what, target, status);
    }
    throw failures.refusal(response, token, what);
  }

  /**
   * keytrust's listing extension: {@code GET {key endpoint}?api-version=1.0} with the token, which
   * the server answers with the token user's keys. 404, 405 and 501 mean the server lacks it.
   */
  @Override
  public List<ListedKey> list(String userPrincipalName, String accountName) throws AgentException {
    ensureOpen();
    BearerToken token = config.token().read();
    String requestId = UUID.randomUUID().toString();
    String what = "Listing the keys of " + userPrincipalName;
    URI target = config.uris().list();
    HttpResponse<byte[]> response = exchange("GET", target, null, token, requestId, what);
    int status = response.statusCode();
    if (status == 404 || status == 405 || status == 501) {
      throw failures.listUnsupported(what, target, status);
    }
    if (status != 200) {
      throw failures.refusal(response, token, what);
    }
    requireJson(response, what);
    List<DrsResponses.Listed> listed;
    try {
      listed = DrsResponses.parseList(response.body());
    } catch (MalformedResponseException e) {
      throw failures.notAList(what, status, e);
    }
    List<ListedKey> keys = new ArrayList<>();
    for (DrsResponses.Listed l : listed) {
      if (!l.upn().equalsIgnoreCase(userPrincipalName)) {
        throw failures.listedOtherUser(what, l.upn(), userPrincipalName, token);
      }
      keys.add(new ListedKey(l.keyId(), l.deviceId(), l.created(), KEY_SERVICE_SOURCE, l.kid(), l.keyMaterial(),
          null, describe()));
    }
    LOG.debug("Listed {} key(s) of {} at {}", keys.size(), userPrincipalName, describe());
    return keys;
  }

  @Override
  public String describe() {
    return config.describe();
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "DrsEndpoint[" + describe() + ", token from " + config.token().describe() + "]";
  }

  // ---- the requests ----

  /** One operation's request, sent by {@link DrsRetries} until its answer is final. */
  private HttpResponse<byte[]> exchange(
      String method, URI uri, byte[] body, BearerToken token, String requestId, String what)
      throws AgentException {
    return retries.exchange(request(method, uri, body, token, requestId), requestId, token, what);
  }

  private HttpRequest request(
      String method, URI uri, byte[] body, BearerToken token, String requestId) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(config.requestTimeout())
            .header("Authorization", token.authorizationHeader())
            .header("Accept", "application/json")
            .header("client-request-id", requestId)
            .header("User-Agent", USER_AGENT);
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b.build();
  }

  private void requireJson(HttpResponse<byte[]> response, String what) throws AgentException {
    String type = response.headers().firstValue("content-type").orElse("");
    String media = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json")) {
      throw failures.notJson(what, response.statusCode(), type);
    }
  }

  /** The key service takes BCRYPT_RSAKEY_BLOBs ({@code kngc}) only. */
  @Override
  public Optional<String> refuses(KeyAlgorithm algorithm) {
    return algorithm == KeyAlgorithm.RSA_2048 ? Optional.empty()
        : Optional.of("the DRS key registration service takes RSA keys (a BCRYPT_RSAKEY_BLOB,"
            + " 'RSA1') only");
  }

  private static void requireRsa1(byte[] material) throws AgentException {
    if (!isRsa1(material)) {
      throw DrsFailures.keyUnsupported();
    }
  }

  private static boolean isRsa1(byte[] material) {
    try {
      return BcryptKeyBlob.parse(material).isRsa();
    } catch (KeyCredentialFormatException e) {
      return false;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this endpoint is closed");
    }
  }
}
