package dev.keytrust.agent.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One audit event: what happened, to whom, when, and how it ended. Holds no secret: no PIN, token,
 * key or password is ever put in one (the flow's step details and keytrust's error messages hold
 * none); key ids, user names, endpoints and error codes are not secrets.
 *
 * @param time when it happened
 * @param id what it is
 * @param user the user (the key store's name)
 * @param operation {@code provision}, {@code pin-change}, {@code reset}, {@code sign-in} or {@code keys-prune}, or null
 * @param step the step's id ({@code register}, ...), or null
 * @param outcome the step's or operation's outcome ({@code SUCCEEDED}, {@code FAILED}, {@code PROVISIONED}, ...), or null
 * @param durationMs how long the step took, or null
 * @param errorCode the error's code ({@code KT-....}), or null
 * @param runId the run's id (the same in all events of a run), or null
 * @param keyId the key id (upper-case hex), or null
 * @param endpoint the endpoint or directory, without credentials, or null
 * @param detail a short text, or null
 */
public record AuditEvent(
    Instant time,
    AuditEventId id,
    String user,
    String operation,
    String step,
    String outcome,
    Long durationMs,
    String errorCode,
    String runId,
    String keyId,
    String endpoint,
    String detail) {

  public AuditEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(user, "user");
  }

  /** An event of {@code id} for {@code user} now, without the optional fields. */
  public static AuditEvent of(AuditEventId id, String user, Instant now) {
    return new AuditEvent(now, id, user, null, null, null, null, null, null, null, null, null);
  }

  public AuditEvent withOperation(String op) {
    return new AuditEvent(time, id, user, op, step, outcome, durationMs, errorCode, runId, keyId, endpoint, detail);
  }

  public AuditEvent withStep(String s, String out, Long ms) {
    return new AuditEvent(time, id, user, operation, s, out, ms, errorCode, runId, keyId, endpoint, detail);
  }

  public AuditEvent withOutcome(String out) {
    return new AuditEvent(time, id, user, operation, step, out, durationMs, errorCode, runId, keyId, endpoint, detail);
  }

  public AuditEvent withError(String code) {
    return new AuditEvent(time, id, user, operation, step, outcome, durationMs, code, runId, keyId, endpoint, detail);
  }

  public AuditEvent withRun(String run) {
    return new AuditEvent(time, id, user, operation, step, outcome, durationMs, errorCode, run, keyId, endpoint, detail);
  }

  public AuditEvent withKey(String key) {
    return new AuditEvent(time, id, user, operation, step, outcome, durationMs, errorCode, runId, key, endpoint, detail);
  }

  public AuditEvent withEndpoint(String where) {
    return new AuditEvent(time, id, user, operation, step, outcome, durationMs, errorCode, runId, keyId, where, detail);
  }

  public AuditEvent withDetail(String text) {
    return new AuditEvent(time, id, user, operation, step, outcome, durationMs, errorCode, runId, keyId, endpoint, text);
  }

  /** The event as one JSON object on one line (every field, absent ones null), without a newline. */
  public String toJson() {
    return new JsonLine()
        .put("time", time.toString())
        .put("eventId", id.id())
        .put("event", id.eventName())
        .put("user", user)
        .put("operation", operation)
        .put("step", step)
        .put("outcome", outcome)
        .put("durationMs", durationMs)
        .put("errorCode", errorCode)
        .put("runId", runId)
        .put("keyId", keyId)
        .put("endpoint", endpoint)
        .put("detail", detail)
        .put("pid", ProcessHandle.current().pid())
        .toString();
  }
}
