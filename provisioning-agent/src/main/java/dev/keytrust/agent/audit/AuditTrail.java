package dev.keytrust.agent.audit;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowAuditor;
import dev.keytrust.agent.flow.FlowListener;
import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keytrust's audit trail: the structured events of the provisioning flow (every step with its
 * outcome, duration and error code; the prerequisite result as Windows' events 358/360; provisioned
 * or failed; registrations added and removed; a key the TPM lost; wrong PINs and lockouts) and of
 * sign-in (accepted, refused), with the stable ids of {@link AuditEventId}, written to every {@link
 * AuditSink}: the audit file ({@link AuditFile}, JSON lines under the state folder) and the system
 * log where the machine has one ({@link SystemLog}). docs/audit-events.md describes them.
 *
 * <pre>{@code
 * AuditTrail audit = AuditTrail.forStateDir(stateDir);      // the file, and syslog/journal if present
 * ProvisioningFlow flow = ProvisioningFlow.builder()...auditor(audit).build();
 * new KeyTrustSignIn().audit(audit).authenticate(...);
 * }</pre>
 *
 * <p>An event never holds a secret ({@link AuditEvent}). Writing one never fails the operation: a
 * sink that cannot be written is reported once as a warning on keytrust's log, and the others still
 * get the event. Thread-safe.
 */
public final class AuditTrail implements FlowAuditor {
  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
  /** Longest detail kept in an event. */
  static final int MAX_DETAIL = 1000;

  private final List<AuditSink> sinks;
  private final Clock clock;
  private final Set<AuditSink> reported = ConcurrentHashMap.newKeySet();
  private final Map<String, String> runs = new ConcurrentHashMap<>();

  private AuditTrail(List<AuditSink> sinks, Clock clock) {
    this.sinks = List.copyOf(sinks);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A trail to these sinks. */
  public static AuditTrail of(List<AuditSink> sinks, Clock clock) {
    return new AuditTrail(sinks, clock);
  }

  /** No audit. */
  public static AuditTrail none() {
    return new AuditTrail(List.of(), Clock.systemUTC());
  }

  /**
   * The audit file {@code stateDir/audit.jsonl} ({@link AuditFile}), and this machine's system log
   * when it has one ({@link SystemLog#detect()}).
   */
  public static AuditTrail forStateDir(Path stateDir) {
    List<AuditSink> sinks = new ArrayList<>();
    sinks.add(new AuditFile(stateDir));
    SystemLog.detect().ifPresent(sinks::add);
    return new AuditTrail(sinks, Clock.systemUTC());
  }

  /** Where the events go. */
  public List<AuditSink> sinks() {
    return sinks;
  }

  /** Writes {@code event} to every sink; a failing sink is reported once and skipped. */
  public void record(AuditEvent event) {
    AuditEvent e = event.detail() != null && event.detail().length() > MAX_DETAIL
        ? event.withDetail(event.detail().substring(0, MAX_DETAIL) + "...") : event;
    for (AuditSink sink : sinks) {
      try {
        sink.write(e);
      } catch (java.io.IOException | RuntimeException ex) {
        if (reported.add(sink)) {
          LOG.warn("The audit log {} cannot be written ({}); the event {} {} of user '{}' is not in it", sink.describe(),
              ex.getMessage(), e.id().id(), e.id().eventName(), e.user());
        }
      }
    }
  }

  AuditEvent event(AuditEventId id, String user) {
    return AuditEvent.of(id, user, clock.instant());
  }

  // ---- the flow ----

  @Override
  public FlowListener listener(String user) {
    return new FlowEventAudit(this, user);
  }

  /** The run id of {@code user}'s current run, remembered from its events. */
  void runStarted(String user, String runId) {
    runs.put(user, runId);
  }

  @Override
  public void finished(ProvisioningResult r) {
    AuditEventId id = switch (r.operation()) {
      case PROVISION -> AuditEventId.PROVISIONED;
      case PIN_CHANGE -> AuditEventId.PIN_CHANGED;
      case RESET -> AuditEventId.RESET;
    };
    runs.remove(r.user());
    record(event(id, r.user()).withOperation(r.operation().id()).withOutcome(r.outcome().name()).withRun(r.runId())
        .withKey(r.keyIdHex()).withEndpoint(r.registered().map(k -> k.receipt().endpoint()).orElse(null))
        .withDetail(r.resumed() ? "resumed an interrupted run" : null));
  }

  @Override
  public void failed(FlowOperation operation, String user, KeytrustException error) {
    AuditEventId id = switch (operation) {
      case PROVISION -> AuditEventId.PROVISION_FAILED;
      case PIN_CHANGE -> AuditEventId.PIN_CHANGE_FAILED;
      case RESET -> AuditEventId.RESET_FAILED;
    };
    record(event(id, user).withOperation(operation.id()).withOutcome("FAILED").withRun(runs.remove(user))
        .withError(error.code().id()).withDetail(error.getMessage()));
  }

  // ---- sign-in ----

  /** A key trust sign-in of {@code user} with key {@code keyIdHex} was accepted by {@code directory}. */
  public void signInAccepted(String user, String keyIdHex, String directory, String detail) {
    record(event(AuditEventId.SIGN_IN_ACCEPTED, user).withOperation("sign-in").withOutcome("ACCEPTED")
        .withKey(keyIdHex).withEndpoint(directory).withDetail(detail));
  }

  /**
   * A key trust sign-in was refused with {@code error}; a wrong PIN or a lockout is also recorded as
   * such ({@link AuditEventId#WRONG_PIN}, {@link AuditEventId#LOCKED_OUT}).
   *
   * @param keyIdHex the key, or null when it could not be read
   */
  public void signInRefused(String user, String keyIdHex, String directory, KeytrustException error) {
    pinFailure(user, "sign-in", keyIdHex, error);
    record(event(AuditEventId.SIGN_IN_REFUSED, user).withOperation("sign-in").withOutcome("REFUSED")
        .withKey(keyIdHex).withEndpoint(directory).withError(error.code().id()).withDetail(error.getMessage()));
  }

  /** Records a wrong PIN or a lockout when {@code error} is one; otherwise nothing. */
  public void pinFailure(String user, String operation, String keyIdHex, KeytrustException error) {
    AuditEventId id = pinEvent(error.code());
    if (id != null) {
      record(event(id, user).withOperation(operation).withKey(keyIdHex).withError(error.code().id())
          .withDetail(error.getMessage()));
    }
  }

  static AuditEventId pinEvent(ErrorCode code) {
    return code == CoreErrorCode.WRONG_PIN ? AuditEventId.WRONG_PIN
        : code == CoreErrorCode.LOCKED_OUT ? AuditEventId.LOCKED_OUT : null;
  }

  // ---- registrations removed outside the flow (keys prune) ----

  /** A registration (or directory value) of {@code user} was removed at {@code endpoint} by {@code operation}. */
  public void registrationRemoved(String user, String operation, String keyIdHex, String endpoint) {
    record(event(AuditEventId.REGISTRATION_REMOVED, user).withOperation(operation).withOutcome("REMOVED")
        .withKey(keyIdHex).withEndpoint(endpoint));
  }

  /** A registration of {@code user} could not be removed at {@code endpoint}: it stays ({@code errorCode}). */
  public void registrationRemains(String user, String operation, String keyIdHex, String endpoint, String errorCode) {
    record(event(AuditEventId.REGISTRATION_REMAINS, user).withOperation(operation).withOutcome("REMAINS")
        .withKey(keyIdHex).withEndpoint(endpoint).withError(errorCode));
  }

  static boolean removalUnsupported(ErrorCode code) {
    return code == AgentErrorCode.DRS_UNREGISTER_UNSUPPORTED;
  }

  @Override
  public String toString() {
    return "AuditTrail" + sinks.stream().map(AuditSink::describe).toList();
  }
}
