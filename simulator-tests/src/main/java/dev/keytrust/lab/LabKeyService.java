package dev.keytrust.lab;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.internal.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lab key registration service speaking the DRS-style protocol ([MS-KPP] §3.1.5.1.1): an HTTPS
 * server on {@code 127.0.0.1} on a free port, with a certificate from {@link LabCertificates}.
 *
 * <ul>
 *   <li>{@code POST /EnrollmentServer/key/?api-version=1.0} with {@code Authorization: Bearer},
 *       {@code Accept: application/json}, {@code Content-Type: application/json} and {@code
 *       {"kngc": "<Base64 BCRYPT_RSAKEY_BLOB>"}} registers the key for the token's user and answers
 *       200 {@code {"kid": "<GUID>", "upn": "..."}}, with the headers {@code request-id} and {@code
 *       keytrust-key-state: created|existing}. The same key again gives the same {@code kid} and no
 *       second registration; a key another user registered gives 400 {@code key_in_use}.
 *   <li>keytrust extension: {@code DELETE /EnrollmentServer/key/<Base64url key id>?api-version=1.0}
 *       removes the token user's key and answers 204, also when it was not there; another user's
 *       key gives 403.
 *   <li>keytrust's push MFA protocol (what {@code dev.keytrust.agent.mfa.PushMfaProvider} polls,
 *       with the push url set to {@link #baseUri()}): {@code POST /mfa/push} {@code {"user": UPN}}
 *       starts a request for the token's user and answers 201 {@code {"id", "status": "pending"}};
 *       {@code GET /mfa/push/<id>} answers 200 {@code {"id", "status": "pending"|"approved"|"denied"}}
 *       (404 for an unknown id or another user's request). Requests are decided by {@link
 *       #approvePush} / {@link #denyPush}, by {@code POST /mfa/push/<id>/approve} or {@code .../deny}
 *       (the same user's token; 409 once decided), or automatically after a delay ({@link
 *       #autoApprovePush}). A {@code user} other than the token's gives 403 {@code
 *       push_user_mismatch}. Same bearer tokens and ErrorDetails as the key endpoint; no
 *       api-version.
 *   <li>The access tokens are the service's own ({@link #issueToken}): HS256 JWTs with {@code upn},
 *       {@code deviceid}, {@code amr}, {@code aud} {@value #AUDIENCE} and {@code exp}. A missing,
 *       forged or expired token, or one without {@code ngcmfa} in {@code amr}, deviceid or upn, gets
 *       401 with a KPP ErrorDetails body and {@code WWW-Authenticate: Bearer error="invalid_token"}.
 *   <li>400 with ErrorDetails for a missing or wrong api-version (query or header, not both),
 *       Accept other than {@code application/json}, another Content-Type, a body that is not a
 *       JSON object with a string {@code kngc}, a body over 64 KiB, and a {@code kngc} that is not
 *       a well-formed RSA1 blob of at least 2048 bits.
 * </ul>
 *
 * <p>ErrorDetails ([MS-KPP] §2.2.3.1): {@code {"code", "message", "response": "ERROR_FAIL",
 * "target", "clientrequestid", "time", "innererror": {"trace", "context"}}}. Codes: {@code
 * missing_token}, {@code invalid_token}, {@code token_expired}, {@code insufficient_claims}, {@code
 * invalid_api_version}, {@code invalid_accept}, {@code invalid_content_type}, {@code
 * invalid_request}, {@code invalid_kngc}, {@code key_in_use}, {@code invalid_key_id}, {@code
 * key_owned_by_another_user}, {@code not_found}, {@code method_not_allowed}.
 *
 * <p>For tests: {@link #registrations()} and {@link #addListener} (the later directory sync job
 * watches registrations), {@link #requests()} (every request with the time it arrived; never the
 * Authorization header), and {@link #injectFaults} (the next N responses replaced or delayed).
 *
 * <p>Thread-safe. {@link #close()} stops the server, closes its connections and ends its threads.
 * Nothing here logs a token.
 */
public final class LabKeyService implements AutoCloseable {
  /** The {@code aud} of the service's tokens. */
  public static final String AUDIENCE = "urn:ms-drs:keytrust-lab";
  /** The key endpoint path. */
  public static final String KEY_PATH = "/EnrollmentServer/key/";
  /** Response header (keytrust extension): {@code created} or {@code existing}. */
  public static final String KEY_STATE_HEADER = "keytrust-key-state";
  /** The push MFA path ({@code PushMfaProvider} appends it to its url). */
  public static final String PUSH_PATH = "/mfa/push";
  /** The most push requests kept; the oldest go first. */
  public static final int MAX_PUSH_REQUESTS = 1000;
  /** Largest request body read. */
  public static final int MAX_REQUEST_BODY = 64 * 1024;
  /** The size of {@link Fault#oversized} bodies: 10 MiB. */
  public static final int OVERSIZED_BODY = 10 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(LabKeyService.class);
  private static final int MIN_RSA_BITS = 2048;
  private static final int MAX_RSA_BITS = 16384;
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  /**
   * What a token says. {@code null} upn or deviceId leave the claim out.
   *
   * @param upn the user principal name
   * @param deviceId the device id claim
   * @param amr the authentication methods, e.g. {@code pwd, ngcmfa}
   * @param expiresAt the {@code exp} claim (whole seconds)
   */
  public record TokenClaims(String upn, UUID deviceId, List<String> amr, Instant expiresAt) {
    public TokenClaims {
      amr = List.copyOf(amr);
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /**
   * A registered key.
   *
   * @param kid the service's GUID for it
   * @param upn the user it belongs to (from the token)
   * @param deviceId the device (from the token)
   * @param keyMaterial the BCRYPT_RSAKEY_BLOB
   * @param keyId SHA-256 of the key material
   * @param registeredAt when it was first registered
   */
  public record RegisteredKey(
      UUID kid, String upn, UUID deviceId, byte[] keyMaterial, byte[] keyId, Instant registeredAt) {
    public RegisteredKey {
      keyMaterial = keyMaterial.clone();
      keyId = keyId.clone();
    }

    @Override
    public byte[] keyMaterial() {
      return keyMaterial.clone();
    }

    @Override
    public byte[] keyId() {
      return keyId.clone();
    }

    /** The key id in standard Base64, as keytrust shows it. */
    public String keyIdBase64() {
      return Base64.getEncoder().encodeToString(keyId);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RegisteredKey r
          && kid.equals(r.kid)
          && upn.equals(r.upn)
          && Objects.equals(deviceId, r.deviceId)
          && Arrays.equals(keyMaterial, r.keyMaterial)
          && registeredAt.equals(r.registeredAt);
    }

    @Override
    public int hashCode() {
      return kid.hashCode();
    }

    @Override
    public String toString() {
      return "RegisteredKey[kid=" + kid + ", upn=" + upn + ", keyId=" + keyIdBase64() + "]";
    }
  }

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

  /** The state of a push MFA request. */
  public enum PushStatus {
    PENDING,
    APPROVED,
    DENIED;

    /** As the protocol writes it: {@code pending}, {@code approved}, {@code denied}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A push MFA request.
   *
   * @param id its id (URL-safe, 22 characters)
   * @param upn the user it is for (the token's)
   * @param createdAt when it was started
   * @param status its state now
   * @param decidedAt when it was approved or denied, or null
   */
  public record PushRequest(String id, String upn, Instant createdAt, PushStatus status, Instant decidedAt) {}

  /** Told about registry changes, on the request thread, after the change. */
  public interface Listener {
    /** A key was registered for the first time. */
    void registered(RegisteredKey key);

    /** A key was removed. */
    default void removed(RegisteredKey key) {}
  }

  /** How a fault's body is made. */
  public enum BodyKind {
    /** The fault's own bytes. */
    GIVEN,
    /** Bytes that are not JSON (with Content-Type application/json). */
    GARBAGE,
    /** {@link #OVERSIZED_BODY} bytes with Content-Length. */
    OVERSIZED_DECLARED,
    /** {@link #OVERSIZED_BODY} bytes, chunked (no length known in advance). */
    OVERSIZED_CHUNKED,
    /** The service's real answer. */
    REAL
  }

  /**
   * One injected fault: shapes one response. Build with the factories and refine with the {@code
   * with...} methods.
   *
   * @param status the status to answer (ignored for {@link BodyKind#REAL})
   * @param body the body for {@link BodyKind#GIVEN}
   * @param headers extra response headers
   * @param delay a wait before the answer is sent
   * @param processFirst true: the request is carried out (a key stored) before the fault applies,
   *     as when a server did the work but its answer was lost or late
   * @param kind how the body is made
   */
  public record Fault(
      int status,
      byte[] body,
      Map<String, String> headers,
      Duration delay,
      boolean processFirst,
      BodyKind kind) {
    public Fault {
      body = body.clone();
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(kind, "kind");
    }

    /** Answers {@code status} with a JSON body, without carrying the request out. */
    public static Fault status(int status, String jsonBody) {
      return new Fault(
          status, jsonBody.getBytes(StandardCharsets.UTF_8), Map.of(), Duration.ZERO, false,
          BodyKind.GIVEN);
    }

    /** Answers {@code status} with a KPP ErrorDetails body. */
    public static Fault kppError(int status, String code, String message) {
      return status(status, errorDetails(code, message, null, null, Instant.EPOCH));
    }

    /** The real answer, after {@code delay}. */
    public static Fault delay(Duration delay) {
      return new Fault(0, new byte[0], Map.of(), delay, false, BodyKind.REAL);
    }

    /** Answers {@code status} with bytes that are not JSON, declared as application/json. */
    public static Fault garbage(int status) {
      return new Fault(status, new byte[0], Map.of(), Duration.ZERO, false, BodyKind.GARBAGE);
    }

    /** Answers {@code status} with a 10 MiB body, with or without Content-Length. */
    public static Fault oversized(int status, boolean declareLength) {
      return new Fault(
          status, new byte[0], Map.of(), Duration.ZERO, false,
          declareLength ? BodyKind.OVERSIZED_DECLARED : BodyKind.OVERSIZED_CHUNKED);
    }

    public Fault withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Fault(status, body, h, delay, processFirst, kind);
    }

    public Fault withDelay(Duration wait) {
      return new Fault(status, body, headers, wait, processFirst, kind);
    }

    /** Carries the request out first (stores the key), then answers with this fault. */
    public Fault afterProcessing() {
      return new Fault(status, body, headers, delay, true, kind);
    }

    @Override
    public byte[] body() {
      return body.clone();
    }
  }

  // ---- state ----

  private final HttpServer server;
  private final ExecutorService executor;
  private final Clock clock;
  private final LabTokens tokens;
  private final URI baseUri;
  private final Object lock = new Object();
  private final Map<String, RegisteredKey> byKeyId = new LinkedHashMap<>(); // Base64 key id
  private final List<Entry> requests = new ArrayList<>();
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, PushRequest> pushes = new LinkedHashMap<>(); // guarded by lock
  private final ScheduledExecutorService pushTimer;
  private final SecureRandom random = new SecureRandom();
  private volatile Duration pushAutoApprove; // null: requests wait for a decision
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

  private LabKeyService(HttpServer server, ExecutorService executor, Clock clock, String scheme) {
    this.server = server;
    this.executor = executor;
    this.clock = clock;
    this.tokens = new LabTokens(AUDIENCE, clock);
    this.baseUri = URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
    this.pushTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lab-key-service-push");
      t.setDaemon(true);
      return t;
    });
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
    return launch(
        () -> {
          HttpsServer s = HttpsServer.create(loopback(), 50);
          s.setHttpsConfigurator(new HttpsConfigurator(tls));
          return s;
        },
        clock, "https");
  }

  /**
   * Starts the service over plain HTTP on 127.0.0.1, for testing a client's refusal or
   * loopback-only permission of plain http. Everything else is the same.
   */
  public static LabKeyService startPlainHttp() {
    return launch(() -> HttpServer.create(loopback(), 50), Clock.systemUTC(), "http");
  }

  private interface ServerFactory {
    HttpServer create() throws IOException;
  }

  private static LabKeyService launch(ServerFactory factory, Clock clock, String scheme) {
    AtomicInteger count = new AtomicInteger();
    ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "lab-key-service-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    HttpServer server;
    try {
      server = factory.create();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new LabException("Cannot start the lab key service on 127.0.0.1: " + e.getMessage(), e);
    }
    server.setExecutor(executor);
    LabKeyService service = new LabKeyService(server, executor, clock, scheme);
    server.createContext("/", service::handle);
    server.start();
    LOG.debug("lab key service listening on {}", service.baseUri);
    return service;
  }

  private static InetSocketAddress loopback() throws IOException {
    return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
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
    synchronized (lock) {
      return List.copyOf(byKeyId.values());
    }
  }

  /** The registration of the key with this key id (SHA-256 of the material), if any. */
  public Optional<RegisteredKey> registration(byte[] keyId) {
    synchronized (lock) {
      return Optional.ofNullable(byKeyId.get(Base64.getEncoder().encodeToString(keyId)));
    }
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

  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /** The next responses, one fault each, in order; later requests are answered normally. */
  public void injectFaults(Fault... next) {
    faults.addAll(List.of(next));
  }

  /** Faults not yet used. */
  public int pendingFaults() {
    return faults.size();
  }

  /**
   * From now on every new push request is approved {@code delay} after it started (zero: at once),
   * so an agent visibly waits; requests already pending stay as they are.
   */
  public void autoApprovePush(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("the delay must not be negative");
    }
    pushAutoApprove = delay;
  }

  /** From now on new push requests stay pending until {@link #approvePush}/{@link #denyPush} (the default). */
  public void manualPush() {
    pushAutoApprove = null;
  }

  /** The auto-approval delay, or empty when requests wait for a decision. */
  public Optional<Duration> pushAutoApproveDelay() {
    return Optional.ofNullable(pushAutoApprove);
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
    return decide(id, PushStatus.APPROVED, "approved");
  }

  /**
   * Denies a pending push request.
   *
   * @return false when there is no such request or it was decided already
   */
  public boolean denyPush(String id) {
    return decide(id, PushStatus.DENIED, "denied");
  }

  /** Every push request kept, oldest first. */
  public List<PushRequest> pushRequests() {
    synchronized (lock) {
      return List.copyOf(pushes.values());
    }
  }

  private boolean decide(String id, PushStatus status, String how) {
    PushRequest decided;
    synchronized (lock) {
      PushRequest p = pushes.get(id);
      if (p == null || p.status() != PushStatus.PENDING) {
        return false;
      }
      decided = new PushRequest(p.id(), p.upn(), p.createdAt(), status, clock.instant());
      pushes.put(id, decided);
    }
    LOG.info("lab push MFA: request {} of {} {}", id, decided.upn(), how);
    return true;
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
    server.stop(0);
    pushTimer.shutdownNow();
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
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

  /** An answer: status, body, headers. */
  private record Answer(int status, byte[] body, Map<String, String> headers) {
    static Answer json(int status, String json, Map<String, String> headers) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put("Content-Type", "application/json; charset=utf-8");
      return new Answer(status, json.getBytes(StandardCharsets.UTF_8), h);
    }
  }

  /** A refusal with a KPP ErrorDetails body. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final String target;

    Refusal(int status, String code, String message, String target) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
      this.target = target;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    Entry entry = new Entry(clock.instant(), exchange);
    synchronized (lock) {
      requests.add(entry);
    }
    try {
      Fault fault = faults.poll();
      String requestId = UUID.randomUUID().toString();
      Answer answer = null;
      if (fault == null || fault.processFirst() || fault.kind() == BodyKind.REAL) {
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
          sendFault(exchange, fault, entry);
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

  private Answer process(HttpExchange exchange, String requestId) throws IOException {
    String clientRequestId = exchange.getRequestHeaders().getFirst("client-request-id");
    try {
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      if (path.equals(KEY_PATH)) {
        if (!method.equals("POST")) {
          exchange.getResponseHeaders().set("Allow", "POST");
          throw new Refusal(405, "method_not_allowed", "Use POST to register a key.", null);
        }
        LabTokens.Subject subject = authenticate(exchange);
        checkProtocol(exchange, true);
        byte[] keyMaterial = kngc(exchange);
        return register(subject, keyMaterial, requestId);
      }
      if (path.startsWith(KEY_PATH) && path.indexOf('/', KEY_PATH.length()) < 0) {
        if (!method.equals("DELETE")) {
          exchange.getResponseHeaders().set("Allow", "DELETE");
          throw new Refusal(405, "method_not_allowed", "Use DELETE to remove a key.", null);
        }
        LabTokens.Subject subject = authenticate(exchange);
        checkProtocol(exchange, false);
        drain(exchange.getRequestBody());
        return remove(subject, path.substring(KEY_PATH.length()));
      }
      LabAttestationRoutes routes = attestation;
      if (routes != null && path.startsWith(LabAttestationRoutes.PATH)) {
        if (!method.equals("POST")) {
          exchange.getResponseHeaders().set("Allow", "POST");
          throw new Refusal(405, "method_not_allowed", "Use POST for attestation requests.", null);
        }
        LabTokens.Subject subject = authenticate(exchange);
        checkProtocol(exchange, true);
        byte[] body = readBounded(exchange.getRequestBody());
        if (body == null) {
          throw new Refusal(400, "invalid_request", "The request body is too large.", null);
        }
        try {
          return Answer.json(200, routes.handle(subject.upn(), path.substring(LabAttestationRoutes.PATH.length()), body),
              Map.of());
        } catch (LabAttestationRoutes.Refused r) {
          throw new Refusal(r.status, r.code, r.getMessage(), null);
        }
      }
      if (path.equals(PUSH_PATH) || path.startsWith(PUSH_PATH + "/")) {
        return push(exchange, method, path.substring(PUSH_PATH.length()));
      }
      throw new Refusal(404, "not_found", "There is no resource at this path.", null);
    } catch (Refusal r) {
      drain(exchange.getRequestBody());
      Map<String, String> headers = new LinkedHashMap<>();
      if (r.status == 401) {
        headers.put(
            "WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"" + r.code + "\"");
      }
      return Answer.json(
          r.status,
          errorDetails(r.code, r.getMessage(), r.target, clientRequestId, clock.instant(), requestId),
          headers);
    }
  }

  // ---- push MFA ----

  private static final Pattern PUSH_ID = Pattern.compile("[A-Za-z0-9_-]{22}");

  private Answer push(HttpExchange exchange, String method, String rest) throws Refusal, IOException {
    if (rest.isEmpty()) {
      if (!method.equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        throw new Refusal(405, "method_not_allowed", "Use POST to start a push request.", null);
      }
      LabTokens.Subject subject = authenticate(exchange);
      return startPush(subject, readBounded(exchange.getRequestBody()));
    }
    String[] parts = rest.substring(1).split("/", -1);
    if (parts.length > 2 || !PUSH_ID.matcher(parts[0]).matches()
        || (parts.length == 2 && !parts[1].equals("approve") && !parts[1].equals("deny"))) {
      throw new Refusal(404, "not_found", "There is no push request at this path.", null);
    }
    String want = parts.length == 1 ? "GET" : "POST";
    if (!method.equals(want)) {
      exchange.getResponseHeaders().set("Allow", want);
      throw new Refusal(405, "method_not_allowed", "Use " + want + " here.", null);
    }
    LabTokens.Subject subject = authenticate(exchange);
    drain(exchange.getRequestBody());
    PushRequest p;
    synchronized (lock) {
      p = pushes.get(parts[0]);
    }
    if (p == null || !p.upn().equalsIgnoreCase(subject.upn())) {
      throw new Refusal(404, "not_found", "There is no such push request.", null);
    }
    if (parts.length == 2) {
      boolean approve = parts[1].equals("approve");
      if (!(approve ? approvePush(p.id()) : denyPush(p.id()))) {
        throw new Refusal(409, "push_already_decided", "The push request is decided already.", null);
      }
      synchronized (lock) {
        p = pushes.get(p.id());
      }
    }
    return Answer.json(200, pushJson(p), Map.of());
  }

  private Answer startPush(LabTokens.Subject subject, byte[] body) throws Refusal {
    if (body == null) {
      throw new Refusal(400, "invalid_request", "The request body is larger than " + MAX_REQUEST_BODY
          + " bytes.", null);
    }
    Object json;
    try {
      json = LabJson.parse(body);
    } catch (LabJson.JsonException e) {
      throw new Refusal(400, "invalid_request", "The request body is not JSON: " + e.getMessage(), null);
    }
    if (!(json instanceof Map<?, ?> m) || !(m.get("user") instanceof String user)) {
      throw new Refusal(400, "invalid_request", "The request body must be an object with a string user.", "user");
    }
    if (!user.equalsIgnoreCase(subject.upn())) {
      throw new Refusal(403, "push_user_mismatch", "The token is not for the user of the push request.", "user");
    }
    byte[] raw = new byte[16];
    random.nextBytes(raw);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    PushRequest p = new PushRequest(id, subject.upn(), clock.instant(), PushStatus.PENDING, null);
    synchronized (lock) {
      if (pushes.size() >= MAX_PUSH_REQUESTS) {
        pushes.remove(pushes.keySet().iterator().next());
      }
      pushes.put(id, p);
    }
    Duration auto = pushAutoApprove;
    if (auto != null) {
      LOG.info("lab push MFA: request {} for {} pending; approved automatically in {} ms", id, p.upn(),
          auto.toMillis());
      try {
        pushTimer.schedule(() -> approvePush(id), auto.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.debug("lab push MFA: stopping, request {} stays pending", id);
      }
    } else {
      LOG.info("lab push MFA: request {} for {} pending; approve: POST {}{}/{}/approve (or /deny) with the"
          + " user's token", id, p.upn(), baseUri, PUSH_PATH, id);
    }
    return Answer.json(201, pushJson(p), Map.of());
  }

  private static String pushJson(PushRequest p) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", p.id());
    body.put("status", p.status().wire());
    return LabJson.write(body);
  }

  private LabTokens.Subject authenticate(HttpExchange exchange) throws Refusal {
    List<String> values = exchange.getRequestHeaders().get("Authorization");
    if (values == null || values.isEmpty()) {
      throw new Refusal(401, "missing_token", "The request has no Authorization header.", null);
    }
    String value = values.get(0);
    if (values.size() > 1 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new Refusal(
          401, "missing_token", "The Authorization header must be one 'Bearer <token>'.", null);
    }
    try {
      return tokens.validate(value.substring(7).strip());
    } catch (LabTokens.Rejected e) {
      throw new Refusal(401, e.code(), e.getMessage(), null);
    }
  }

  private static void checkProtocol(HttpExchange exchange, boolean hasBody) throws Refusal {
    Headers h = exchange.getRequestHeaders();
    List<String> fromQuery = queryValues(exchange.getRequestURI().getRawQuery(), "api-version");
    List<String> fromHeader = h.get("api-version") == null ? List.of() : h.get("api-version");
    if (fromQuery.size() + fromHeader.size() != 1) {
      throw new Refusal(
          400, "invalid_api_version",
          "Give api-version=1.0 once, as a query parameter or a header (not both).", "api-version");
    }
    String version = fromQuery.isEmpty() ? fromHeader.get(0) : fromQuery.get(0);
    if (!version.equals("1.0")) {
      throw new Refusal(400, "invalid_api_version", "The api-version must be 1.0.", "api-version");
    }
    List<String> accept = h.get("Accept");
    if (accept == null || accept.size() != 1 || !accept.get(0).strip().equals("application/json")) {
      throw new Refusal(
          400, "invalid_accept", "The Accept header must be application/json.", "Accept");
    }
    if (hasBody) {
      String type = h.getFirst("Content-Type");
      String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
      if (!media.equals("application/json")) {
        throw new Refusal(
            400, "invalid_content_type", "The Content-Type must be application/json.",
            "Content-Type");
      }
    }
  }

  private static byte[] kngc(HttpExchange exchange) throws Refusal, IOException {
    byte[] body = readBounded(exchange.getRequestBody());
    if (body == null) {
      throw new Refusal(
          400, "invalid_request", "The request body is larger than " + MAX_REQUEST_BODY + " bytes.",
          null);
    }
    Object json;
    try {
      json = LabJson.parse(body);
    } catch (LabJson.JsonException e) {
      throw new Refusal(400, "invalid_request", "The request body is not JSON: " + e.getMessage(), null);
    }
    if (!(json instanceof Map<?, ?> m) || !(m.get("kngc") instanceof String kngc)) {
      throw new Refusal(
          400, "invalid_request", "The request body must be an object with a string kngc.", "kngc");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(kngc);
    } catch (IllegalArgumentException e) {
      throw new Refusal(400, "invalid_kngc", "kngc is not Base64.", "kngc");
    }
    String problem = rsa1Problem(blob);
    if (problem != null) {
      throw new Refusal(400, "invalid_kngc", "kngc is not a usable RSA public key: " + problem + ".", "kngc");
    }
    return blob;
  }

  /** Why {@code blob} is not a BCRYPT_RSAKEY_BLOB (RSA1) of 2048+ bits, or null when it is one. */
  static String rsa1Problem(byte[] blob) {
    BcryptKeyBlob parsed;
    try {
      parsed = BcryptKeyBlob.parse(blob);
    } catch (KeyCredentialFormatException e) {
      return e.getMessage();
    }
    if (!parsed.isRsa()) {
      return "the magic is not RSA1";
    }
    int bits = parsed.bitLength();
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      return "BitLength " + bits + " is outside " + MIN_RSA_BITS + ".." + MAX_RSA_BITS;
    }
    BigInteger e = parsed.rsaExponent();
    if (e.bitLength() > 64) {
      return "the public exponent is longer than 8 bytes";
    }
    if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0) {
      return "the public exponent is not an odd number of at least 3";
    }
    if (!parsed.rsaModulus().testBit(0)) {
      return "the modulus is even";
    }
    return null;
  }

  private Answer register(LabTokens.Subject subject, byte[] keyMaterial, String requestId)
      throws Refusal {
    byte[] keyId = Sha256.of(keyMaterial);
    String id = Base64.getEncoder().encodeToString(keyId);
    RegisteredKey key;
    boolean created;
    synchronized (lock) {
      RegisteredKey existing = byKeyId.get(id);
      if (existing != null && !existing.upn().equalsIgnoreCase(subject.upn())) {
        throw new Refusal(
            400, "key_in_use", "This key is registered to another user.", "kngc");
      }
      created = existing == null;
      key =
          created
              ? new RegisteredKey(
                  UUID.randomUUID(), subject.upn(), subject.deviceId(), keyMaterial, keyId,
                  clock.instant())
              : existing;
      if (created) {
        byKeyId.put(id, key);
      }
    }
    LOG.info("lab key service: {} key {} for {} (kid {})",
        created ? "registered" : "already holds", id, key.upn(), key.kid());
    if (created) {
      notifyListeners(l -> l.registered(key));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("kid", key.kid().toString());
    body.put("upn", key.upn());
    return Answer.json(
        200, LabJson.write(body),
        Map.of(KEY_STATE_HEADER, created ? "created" : "existing", "request-id", requestId));
  }

  private Answer remove(LabTokens.Subject subject, String segment) throws Refusal {
    byte[] keyId;
    try {
      keyId = Base64.getUrlDecoder().decode(segment);
    } catch (IllegalArgumentException e) {
      keyId = new byte[0];
    }
    if (keyId.length != 32 || segment.contains("=")) {
      throw new Refusal(
          400, "invalid_key_id", "The key id must be 32 bytes in unpadded Base64url.", null);
    }
    String id = Base64.getEncoder().encodeToString(keyId);
    RegisteredKey removed;
    synchronized (lock) {
      RegisteredKey existing = byKeyId.get(id);
      if (existing != null && !existing.upn().equalsIgnoreCase(subject.upn())) {
        throw new Refusal(
            403, "key_owned_by_another_user", "This key is registered to another user.", null);
      }
      removed = byKeyId.remove(id);
    }
    if (removed != null) {
      LOG.info("lab key service: removed key {} of {} (kid {})", id, removed.upn(), removed.kid());
      notifyListeners(l -> l.removed(removed));
    }
    return new Answer(204, new byte[0], Map.of());
  }

  private interface ListenerCall {
    void call(Listener l);
  }

  private void notifyListeners(ListenerCall call) {
    for (Listener l : listeners) {
      try {
        call.call(l);
      } catch (RuntimeException e) {
        LOG.warn("lab key service: a registration listener failed", e);
      }
    }
  }

  // ---- sending ----

  private static void send(HttpExchange exchange, Answer answer, String requestId, Entry entry)
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
    byte[] body = answer.body();
    entry.status = answer.status();
    exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void sendFault(HttpExchange exchange, Fault fault, Entry entry) throws IOException {
    Headers h = exchange.getResponseHeaders();
    h.set("Content-Type", "application/json; charset=utf-8");
    fault.headers().forEach(h::set);
    entry.status = fault.status();
    switch (fault.kind()) {
      case GIVEN -> {
        byte[] body = fault.body();
        exchange.sendResponseHeaders(fault.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
      }
      case GARBAGE -> {
        byte[] garbage = {'}', '{', 0, (byte) 0xFF, 'n', 'o', 't', ' ', 'j', 's', 'o', 'n', '\n'};
        exchange.sendResponseHeaders(fault.status(), garbage.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(garbage);
        }
      }
      case OVERSIZED_DECLARED, OVERSIZED_CHUNKED -> {
        exchange.sendResponseHeaders(
            fault.status(), fault.kind() == BodyKind.OVERSIZED_DECLARED ? OVERSIZED_BODY : 0);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        chunk[0] = '[';
        try (OutputStream out = exchange.getResponseBody()) {
          for (int sent = 0; sent < OVERSIZED_BODY; sent += chunk.length) {
            out.write(chunk);
            chunk[0] = 'x';
          }
        } // the client hanging up half-way ends here with an IOException
      }
      default -> throw new IllegalStateException("not a fault body: " + fault.kind());
    }
  }

  // ---- helpers ----

  /** A KPP ErrorDetails body ([MS-KPP] §2.2.3.1). */
  static String errorDetails(
      String code, String message, String target, String clientRequestId, Instant time) {
    return errorDetails(code, message, target, clientRequestId, time, UUID.randomUUID().toString());
  }

  private static String errorDetails(
      String code, String message, String target, String clientRequestId, Instant time,
      String trace) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    body.put("response", "ERROR_FAIL");
    body.put("target", target == null ? "" : target);
    if (clientRequestId != null) {
      body.put("clientrequestid", clientRequestId);
    }
    body.put("time", time.toString());
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("trace", trace);
    inner.put("context", "keytrust lab key service");
    body.put("innererror", inner);
    return LabJson.write(body);
  }

  /** The body, or null when it is longer than {@link #MAX_REQUEST_BODY}. */
  private static byte[] readBounded(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      if (out.size() + n > MAX_REQUEST_BODY) {
        return null;
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[8192];
    long total = 0;
    int n;
    while (total <= MAX_REQUEST_BODY && (n = in.read(buffer)) >= 0) {
      total += n;
    }
  }

  private static List<String> queryValues(String rawQuery, String name) {
    List<String> values = new ArrayList<>();
    if (rawQuery == null) {
      return values;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        values.add(eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

}
