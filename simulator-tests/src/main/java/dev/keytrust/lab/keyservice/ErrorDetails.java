package dev.keytrust.lab.keyservice;

import dev.keytrust.lab.http.HttpAnswer;
import dev.keytrust.lab.http.LabJson;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The KPP ErrorDetails body ([MS-KPP] §2.2.3.1) of the lab services' refusals: {@code {"code",
 * "message", "response": "ERROR_FAIL", "target", "clientrequestid", "time", "innererror":
 * {"trace", "context"}}}.
 */
public final class ErrorDetails {
  private ErrorDetails() {}

  /** An ErrorDetails body with a new random trace id. */
  public static String body(
      String code, String message, String target, String clientRequestId, Instant time) {
    return body(code, message, target, clientRequestId, time, UUID.randomUUID().toString());
  }

  /**
   * The answer to {@code refusal}: its status, an ErrorDetails body whose trace is the request's
   * id, and for 401 {@code WWW-Authenticate: Bearer error="invalid_token"} with the code.
   */
  public static HttpAnswer answer(
      Refusal refusal, String clientRequestId, Instant time, String requestId) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (refusal.status() == 401) {
      headers.put(
          "WWW-Authenticate",
          "Bearer error=\"invalid_token\", error_description=\"" + refusal.code() + "\"");
    }
    return HttpAnswer.json(
        refusal.status(),
        body(refusal.code(), refusal.getMessage(), refusal.target(), clientRequestId, time,
            requestId),
        headers);
  }

  private static String body(
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
}
