package dev.keytrust.lab.push;

import com.sun.net.httpserver.HttpExchange;
import dev.keytrust.lab.http.HttpAnswer;
import dev.keytrust.lab.http.LabJson;
import dev.keytrust.lab.http.LoopbackHttpServer;
import dev.keytrust.lab.keyservice.BearerAuthentication;
import dev.keytrust.lab.keyservice.JsonBody;
import dev.keytrust.lab.keyservice.KeyService;
import dev.keytrust.lab.keyservice.LabTokens;
import dev.keytrust.lab.keyservice.Refusal;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's push MFA service: keytrust's push protocol, what {@code
 * dev.keytrust.agent.mfa.PushMfaProvider} polls.
 *
 * <ul>
 *   <li>{@code POST /mfa/push} {@code {"user": UPN}} starts a request for the token's user and
 *       answers 201 {@code {"id", "status": "pending"}}; a {@code user} other than the token's
 *       gives 403 {@code push_user_mismatch}.
 *   <li>{@code GET /mfa/push/<id>} answers 200 {@code {"id", "status":
 *       "pending"|"approved"|"denied"}} (404 for an unknown id or another user's request).
 *   <li>Requests are decided by {@link #approve} / {@link #deny}, by {@code POST
 *       /mfa/push/<id>/approve} or {@code .../deny} (the same user's token; 409 once decided), or
 *       automatically after a delay ({@link #autoApprove}).
 * </ul>
 *
 * <p>The same bearer tokens ({@link BearerAuthentication}), body limit and ErrorDetails refusals
 * as the key service; no api-version. At most {@value #MAX_PUSH_REQUESTS} requests are kept, the
 * oldest go first. Thread-safe; {@link #close()} stops the auto-approval timer.
 */
public final class PushService implements AutoCloseable {
  /** The push MFA path ({@code PushMfaProvider} appends it to its url). */
  public static final String PUSH_PATH = "/mfa/push";
  /** The most push requests kept; the oldest go first. */
  public static final int MAX_PUSH_REQUESTS = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(PushService.class);
  private static final Pattern PUSH_ID = Pattern.compile("[A-Za-z0-9_-]{22}");

  private final LabTokens tokens;
  private final Clock clock;
  private final URI baseUri;
  private final Object lock = new Object();
  private final Map<String, PushRequest> pushes = new LinkedHashMap<>(); // guarded by lock
  private final ScheduledExecutorService timer;
  private final SecureRandom random = new SecureRandom();
  private volatile Duration autoApprove; // null: requests wait for a decision

  /**
   * @param tokens checks the requests' tokens
   * @param clock for the requests' times
   * @param baseUri where the service is served, for the log's approval hint
   */
  public PushService(LabTokens tokens, Clock clock, URI baseUri) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lab-key-service-push");
      t.setDaemon(true);
      return t;
    });
  }

  /** Whether {@code path} is {@value #PUSH_PATH} or under it. */
  public static boolean serves(String path) {
    return path.equals(PUSH_PATH) || path.startsWith(PUSH_PATH + "/");
  }

  /**
   * Answers a request whose path it {@link #serves}.
   *
   * @throws Refusal for anything the protocol refuses
   */
  public HttpAnswer handle(HttpExchange exchange) throws Refusal, IOException {
    String method = exchange.getRequestMethod();
    String rest = exchange.getRequestURI().getRawPath().substring(PUSH_PATH.length());
    if (rest.isEmpty()) {
      if (!method.equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        throw new Refusal(405, "method_not_allowed", "Use POST to start a push request.", null);
      }
      LabTokens.Subject subject = BearerAuthentication.authenticate(exchange, tokens);
      return start(subject, JsonBody.stringMember(exchange, "user"));
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
    LabTokens.Subject subject = BearerAuthentication.authenticate(exchange, tokens);
    LoopbackHttpServer.drain(exchange.getRequestBody(), KeyService.MAX_REQUEST_BODY);
    PushRequest p;
    synchronized (lock) {
      p = pushes.get(parts[0]);
    }
    if (p == null || !p.upn().equalsIgnoreCase(subject.upn())) {
      throw new Refusal(404, "not_found", "There is no such push request.", null);
    }
    if (parts.length == 2) {
      boolean approve = parts[1].equals("approve");
      if (!(approve ? approve(p.id()) : deny(p.id()))) {
        throw new Refusal(409, "push_already_decided", "The push request is decided already.", null);
      }
      synchronized (lock) {
        p = pushes.get(p.id());
      }
    }
    return HttpAnswer.json(200, json(p), Map.of());
  }

  /**
   * From now on every new push request is approved {@code delay} after it started (zero: at once),
   * so an agent visibly waits; requests already pending stay as they are.
   */
  public void autoApprove(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("the delay must not be negative");
    }
    autoApprove = delay;
  }

  /** From now on new push requests stay pending until {@link #approve}/{@link #deny} (the default). */
  public void manual() {
    autoApprove = null;
  }

  /** The auto-approval delay, or empty when requests wait for a decision. */
  public Optional<Duration> autoApproveDelay() {
    return Optional.ofNullable(autoApprove);
  }

  /**
   * Approves a pending push request.
   *
   * @return false when there is no such request or it was decided already
   */
  public boolean approve(String id) {
    return decide(id, PushStatus.APPROVED, "approved");
  }

  /**
   * Denies a pending push request.
   *
   * @return false when there is no such request or it was decided already
   */
  public boolean deny(String id) {
    return decide(id, PushStatus.DENIED, "denied");
  }

  /** Every push request kept, oldest first. */
  public List<PushRequest> requests() {
    synchronized (lock) {
      return List.copyOf(pushes.values());
    }
  }

  /** Stops the auto-approval timer: requests it had not approved yet stay pending. */
  @Override
  public void close() {
    timer.shutdownNow();
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

  private HttpAnswer start(LabTokens.Subject subject, String user) throws Refusal {
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
    Duration auto = autoApprove;
    if (auto != null) {
      LOG.info("lab push MFA: request {} for {} pending; approved automatically in {} ms", id, p.upn(),
          auto.toMillis());
      try {
        timer.schedule(() -> approve(id), auto.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        LOG.debug("lab push MFA: stopping, request {} stays pending", id);
      }
    } else {
      LOG.info("lab push MFA: request {} for {} pending; approve: POST {}{}/{}/approve (or /deny) with the"
          + " user's token", id, p.upn(), baseUri, PUSH_PATH, id);
    }
    return HttpAnswer.json(201, json(p), Map.of());
  }

  private static String json(PushRequest p) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", p.id());
    body.put("status", p.status().wire());
    return LabJson.write(body);
  }
}
