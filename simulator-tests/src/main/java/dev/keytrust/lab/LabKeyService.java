package dev.keytrust.lab;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.keytrust.lab.faults.BodyKind;
import dev.keytrust.lab.faults.Fault;
import dev.keytrust.lab.faults.FaultInjector;
import dev.keytrust.lab.http.HttpAnswer;
import dev.keytrust.lab.http.LoopbackHttpServer;
import dev.keytrust.lab.keyservice.BearerAuthentication;
import dev.keytrust.lab.keyservice.ErrorDetails;
import dev.keytrust.lab.keyservice.KeyRegistry;
import dev.keytrust.lab.keyservice.KeyService;
import dev.keytrust.lab.keyservice.LabTokens;
import dev.keytrust.lab.keyservice.Refusal;
import dev.keytrust.lab.keyservice.RegisteredKey;
import dev.keytrust.lab.keyservice.RegistrationListener;
import dev.keytrust.lab.keyservice.TokenClaims;
import dev.keytrust.lab.push.PushRequest;
import dev.keytrust.lab.push.PushService;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's DRS-style service as the lab, the demo and the tests start it: one HTTPS server on
 * {@code 127.0.0.1} on a free port ({@link LoopbackHttpServer}, with a certificate from {@link
 * LabCertificates}) serving
 *
 * <ul>
 *   <li>the key registration service ({@link KeyService}: {@code POST}, and keytrust's {@code GET}
 *       listing and {@code DELETE} under {@value #KEY_PATH}, over a {@link KeyRegistry} of {@link
 *       RegisteredKey}s),
 *   <li>the push MFA service ({@link PushService}: {@code POST} {@value #PUSH_PATH}, {@code GET}
 *       {@value #PUSH_PATH}{@code /<id>}, approve and deny; the push url is {@link #pushUri()}),
 *   <li>and 404 {@code not_found} for any other path.
 * </ul>
 *
 * <p>Both take the service's own access tokens ({@link #issueToken}; {@link LabTokens}): HS256
 * JWTs with {@code upn}, {@code deviceid}, {@code amr}, {@code aud} {@value #AUDIENCE} and {@code
 * exp}. A missing, forged or expired token, or one without {@code ngcmfa} in {@code amr}, deviceid
 * or upn, gets 401 with a KPP ErrorDetails body and {@code WWW-Authenticate: Bearer
 * error="invalid_token"}.
 *
 * <p>Every refusal is a KPP ErrorDetails body ({@link ErrorDetails}). Codes: {@code
 * missing_token}, {@code invalid_token}, {@code token_expired}, {@code insufficient_claims}, {@code
 * invalid_api_version}, {@code invalid_accept}, {@code invalid_content_type}, {@code
 * invalid_request}, {@code invalid_kngc}, {@code key_in_use}, {@code invalid_key_id}, {@code
 * key_owned_by_another_user}, {@code push_user_mismatch}, {@code push_already_decided}, {@code
 * not_found}, {@code method_not_allowed}. Every answer carries {@code request-id}; {@code
 * client-request-id} is echoed when the request asks with {@code return-client-request-id: true}.
 *
 * <p>For tests: {@link #registrations()} and {@link #addListener} (the directory sync job watches
 * registrations), {@link #requests()} (every request with the time it arrived; never the
 * Authorization header), and {@link #injectFaults} (the next N responses replaced or delayed, see
 * {@link Fault}).
 *
 * <p>Thread-safe. {@link #close()} stops the server, closes its connections and ends its threads.
 * Nothing here logs a token.
 */
public final class LabKeyService implements AutoCloseable {
  /** The {@code aud} of the service's tokens. */
  public static final String AUDIENCE = "urn:ms-drs:keytrust-lab";
  /** The key endpoint path. */
  public static final String KEY_PATH = KeyService.KEY_PATH;
  /** Response header (keytrust extension): {@code created} or {@code existing}. */
  public static final String KEY_STATE_HEADER = KeyService.KEY_STATE_HEADER;
  /** The push MFA path ({@code PushMfaProvider} appends it to its url). */
  public static final String PUSH_PATH = PushService.PUSH_PATH;
  /** The most push requests kept; the oldest go first. */
  public static final int MAX_PUSH_REQUESTS = PushService.MAX_PUSH_REQUESTS;
  /** Largest request body read. */
  public static final int MAX_REQUEST_BODY = KeyService.MAX_REQUEST_BODY;
  /** The size of {@link Fault#oversized} bodies: 10 MiB. */
  public static final int OVERSIZED_BODY = Fault.OVERSIZED_BODY;

  private static final Logger LOG = LoggerFactory.getLogger(LabKeyService.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);
  private static final String THREAD_NAME = "lab-key-service";

  /**
   * One request as the service saw it.
   *
   * @param receivedAt when it arrived (the service's clock)
   * @param method the HTTP method
   * @param path the raw path
   * @param query the raw query or {@code null}
   * @param headers the request headers, names lower-case, without {@code Authorization}
   * @param hadAuthorization whether an Authorization header was sent
   * @param status the status answered, 0 while none was sent (or none could be)
   * @param fault whether an injected fault shaped the answer
   */
  public record ObservedRequest(
      Instant receivedAt,
      String method,
      String path,
      String query,
      Map<String, List<String>> headers,
      boolean hadAuthorization,
      int status,
      boolean fault) {

    /** The first value of a header (name in any case). */
    public Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
  }

  // ---- state ----

  private final LoopbackHttpServer server;
  private final Clock clock;
  private final LabTokens tokens;
  private final KeyService keys;
  private final PushService push;
  private final URI baseUri;
  private final Object lock = new Object();
  private final List<Entry> requests = new ArrayList<>();
  private final FaultInjector faults = new FaultInjector();
  private volatile LabAttestationRoutes attestation; // null: no attestation extension
  private volatile boolean closed;

  /** A request being handled: its fixed facts and its status once answered. */
  private static final class Entry {
    final Instant receivedAt;
    final String method;
    final String path;
    final String query;
    final Map<String, List<String>> headers;
    final boolean hadAuthorization;
    volatile int status;
    volatile boolean fault;

    Entry(Instant receivedAt, HttpExchange exchange) {
      this.receivedAt = receivedAt;
      this.method = exchange.getRequestMethod();
      this.path = exchange.getRequestURI().getRawPath();
      this.query = exchange.getRequestURI().getRawQuery();
      Map<String, List<String>> h = new TreeMap<>();
      boolean auth = false;
      for (Map.Entry<String, List<String>> e : exchange.getRequestHeaders().entrySet()) {
        String name = e.getKey().toLowerCase(Locale.ROOT);
        if (name.equals("authorization")) {
          auth = true;
        } else {
          h.put(name, List.copyOf(e.getValue()));
        }
      }
      this.headers = Collections.unmodifiableMap(h);
      this.hadAuthorization = auth;
    }
  }

  /** Binds the server, sets up the services, then serves: {@link #handle} from then on. */
  private LabKeyService(LoopbackHttpServer.Builder server, Clock clock) {
    this.clock = clock;
    this.tokens = new LabTokens(AUDIENCE, clock);
    this.keys = new KeyService(tokens, new KeyRegistry(clock));
    try {
      this.server = server.backlog(50).handle("/", this::handle).bind();
    } catch (IOException e) {
      throw new LabException("Cannot start the lab key service on 127.0.0.1: " + e.getMessage(), e);
    }
    this.baseUri = this.server.uri();
    this.push = new PushService(tokens, clock, baseUri);
    this.server.start();
  }

  /**
   * Starts the HTTPS service on 127.0.0.1 on a free port, presenting {@code certificates}' server
   * certificate.
   *
   * @throws LabException when the server cannot be started
   */
  public static LabKeyService start(LabCertificates certificates) {
    return start(certificates, Clock.systemUTC());
  }

  /** As {@link #start(LabCertificates)}, with the clock for token expiry and request times. */
  public static LabKeyService start(LabCertificates certificates, Clock clock) {
    SSLContext tls = certificates.serverSslContext();
    return launch(LoopbackHttpServer.builder(THREAD_NAME).tls(tls), clock);
  }

  /**
   * Starts the service over plain HTTP on 127.0.0.1, for testing a client's refusal or
   * loopback-only permission of plain http. Everything else is the same.
   */
  public static LabKeyService startPlainHttp() {
    return launch(LoopbackHttpServer.builder(THREAD_NAME), Clock.systemUTC());
  }

  private static LabKeyService launch(LoopbackHttpServer.Builder server, Clock clock) {
    LabKeyService service = new LabKeyService(server, clock);
    LOG.debug("lab key service listening on {}", service.baseUri);
    return service;
  }

  // ---- API ----

  /** {@code https://127.0.0.1:PORT} (the endpoint appends {@value #KEY_PATH}). */
  public URI baseUri() {
    return baseUri;
  }

  public int port() {
    return baseUri.getPort();
  }

  /** A valid token for {@code upn} on {@code deviceId}: amr {@code pwd, ngcmfa}, one hour. */
  public String issueToken(String upn, UUID deviceId) {
    return issueToken(
        new TokenClaims(upn, deviceId, LabTokens.defaultAmr(), clock.instant().plus(Duration.ofHours(1))));
  }

  /** A token with exactly these claims (to test refusals: no ngcmfa, expired, no deviceid). */
  public String issueToken(TokenClaims claims) {
    return tokens.issue(claims);
  }

  /** The registered keys, in registration order. */
  public List<RegisteredKey> registrations() {
    return keys.registry().registrations();
  }

  /** The registration of the key with this key id (SHA-256 of the material), if any. */
  public Optional<RegisteredKey> registration(byte[] keyId) {
    return keys.registry().registration(keyId);
  }

  /** Every request so far, in arrival order. */
  public List<ObservedRequest> requests() {
    synchronized (lock) {
      List<ObservedRequest> out = new ArrayList<>(requests.size());
      for (Entry e : requests) {
        out.add(
            new ObservedRequest(
                e.receivedAt, e.method, e.path, e.query, e.headers, e.hadAuthorization, e.status,
                e.fault));
      }
      out.sort(Comparator.comparing(ObservedRequest::receivedAt));
      return out;
    }
  }

  /** Tells {@code listener} about registrations and removals from now on. */
  public void addListener(RegistrationListener listener) {
    keys.registry().addListener(listener);
  }

  public void removeListener(RegistrationListener listener) {
    keys.registry().removeListener(listener);
  }

  /** The next responses, one fault each, in order; later requests are answered normally. */
  public void injectFaults(Fault... next) {
    faults.inject(next);
  }

  /** Faults not yet used. */
  public int pendingFaults() {
    return faults.pending();
  }

  /**
   * From now on every new push request is approved {@code delay} after it started (zero: at once),
   * so an agent visibly waits; requests already pending stay as they are.
   */
  public void autoApprovePush(Duration delay) {
    push.autoApprove(delay);
  }

  /** From now on new push requests stay pending until {@link #approvePush}/{@link #denyPush} (the default). */
  public void manualPush() {
    push.manual();
  }

  /** The auto-approval delay, or empty when requests wait for a decision. */
  public Optional<Duration> pushAutoApproveDelay() {
    return push.autoApproveDelay();
  }

  /** The push MFA base URL: the {@code url} setting of the MFA method push ({@link #baseUri()}). */
  public URI pushUri() {
    return baseUri;
  }

  /**
   * Approves a pending push request.
   *
   * @return false when there is no such request or it was decided already
   */
  public boolean approvePush(String id) {
    return push.approve(id);
  }

  /**
   * Denies a pending push request.
   *
   * @return false when there is no such request or it was decided already
   */
  public boolean denyPush(String id) {
    return push.deny(id);
  }

  /** Every push request kept, oldest first. */
  public List<PushRequest> pushRequests() {
    return push.requests();
  }

  /**
   * Serves keytrust's key attestation extension under {@value LabAttestationRoutes#PATH} with
   * {@code ca} as the attestation CA ({@link LabAttestationRoutes}); same tokens and api-version.
   */
  public LabAttestationRoutes enableAttestation(dev.keytrust.lab.attest.LabAttestationCa ca) {
    LabAttestationRoutes routes = new LabAttestationRoutes(ca, this, clock);
    attestation = routes;
    return routes;
  }

  /** Stops the server, closes its connections, and ends its threads (interrupting delays). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close();
    push.close();
    try {
      if (!server.awaitTermination(STOP_WAIT)) {
        throw new LabException("The lab key service's threads did not end within " + STOP_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("Interrupted while stopping the lab key service", e);
    }
    LOG.debug("lab key service on {} stopped", baseUri);
  }

  @Override
  public String toString() {
    return "LabKeyService[" + baseUri + (closed ? ", stopped" : "") + "]";
  }

  // ---- request handling ----

  private void handle(HttpExchange exchange) throws IOException {
    Entry entry = new Entry(clock.instant(), exchange);
    synchronized (lock) {
      requests.add(entry);
    }
    try {
      Fault fault = faults.next();
      String requestId = UUID.randomUUID().toString();
      HttpAnswer answer = null;
      if (fault == null || fault.carriesOut()) {
        answer = process(exchange, requestId);
      } else {
        drain(exchange.getRequestBody());
      }
      if (fault != null) {
        entry.fault = true;
        if (!fault.delay().isZero()) {
          Thread.sleep(fault.delay().toMillis());
        }
        if (fault.kind() != BodyKind.REAL) {
          entry.status = fault.status();
          FaultInjector.answer(exchange, fault);
          return;
        }
      }
      send(exchange, answer, requestId, entry);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() ends a delayed answer
    } catch (IOException e) {
      LOG.debug("lab key service: {} {} ended early: {}", entry.method, entry.path, e.toString());
    } catch (RuntimeException e) {
      LOG.warn("lab key service: {} {} failed", entry.method, entry.path, e);
      throw e;
    } finally {
      exchange.close();
    }
  }

  private HttpAnswer process(HttpExchange exchange, String requestId) throws IOException {
    String clientRequestId = exchange.getRequestHeaders().getFirst("client-request-id");
    try {
      String path = exchange.getRequestURI().getRawPath();
      if (KeyService.serves(path)) {
        return keys.handle(exchange, requestId);
      }
      LabAttestationRoutes routes = attestation;
      if (routes != null && path.startsWith(LabAttestationRoutes.PATH)) {
        return attestation(exchange, routes, path.substring(LabAttestationRoutes.PATH.length()));
      }
      if (PushService.serves(path)) {
        return push.handle(exchange);
      }
      throw new Refusal(404, "not_found", "There is no resource at this path.", null);
    } catch (Refusal r) {
      drain(exchange.getRequestBody());
      return ErrorDetails.answer(r, clientRequestId, clock.instant(), requestId);
    }
  }

  /** keytrust's key attestation extension: POST only, the service's tokens and api-version. */
  private HttpAnswer attestation(HttpExchange exchange, LabAttestationRoutes routes, String route)
      throws IOException, Refusal {
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "POST");
      throw new Refusal(405, "method_not_allowed", "Use POST for attestation requests.", null);
    }
    LabTokens.Subject subject = BearerAuthentication.authenticate(exchange, tokens);
    KeyService.checkProtocol(exchange, true);
    byte[] body = LoopbackHttpServer.readBounded(exchange.getRequestBody(), MAX_REQUEST_BODY);
    if (body == null) {
      throw new Refusal(400, "invalid_request", "The request body is too large.", null);
    }
    try {
      return HttpAnswer.json(200, routes.handle(subject.upn(), route, body), Map.of());
    } catch (LabAttestationRoutes.Refused r) {
      throw new Refusal(r.status, r.code, r.getMessage(), null);
    }
  }

  // ---- sending ----

  private static void send(HttpExchange exchange, HttpAnswer answer, String requestId, Entry entry)
      throws IOException {
    Headers h = exchange.getResponseHeaders();
    answer.headers().forEach(h::set);
    if (!h.containsKey("request-id")) {
      h.set("request-id", requestId);
    }
    String echo = exchange.getRequestHeaders().getFirst("client-request-id");
    if (echo != null
        && "true".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("return-client-request-id"))) {
      h.set("client-request-id", echo);
    }
    entry.status = answer.status();
    LoopbackHttpServer.send(exchange, answer.status(), answer.body());
  }

  // ---- helpers ----

  private static void drain(InputStream in) throws IOException {
    LoopbackHttpServer.drain(in, MAX_REQUEST_BODY);
  }
}
