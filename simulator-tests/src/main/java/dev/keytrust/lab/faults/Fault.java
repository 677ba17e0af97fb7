package dev.keytrust.lab.faults;

import dev.keytrust.lab.keyservice.ErrorDetails;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
  /** The size of {@link #oversized} bodies: 10 MiB. */
  public static final int OVERSIZED_BODY = 10 * 1024 * 1024;

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
    return status(status, ErrorDetails.body(code, message, null, null, Instant.EPOCH));
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

  /** Whether the service carries the request out (a key stored) before this fault applies. */
  public boolean carriesOut() {
    return processFirst || kind == BodyKind.REAL;
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
