package dev.keytrust.lab.http;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer a handler has worked out, before it is sent: the status, the body (empty for none) and
 * the response headers to set.
 */
public record HttpAnswer(int status, byte[] body, Map<String, String> headers) {
  /** The Content-Type of {@link #json} answers. */
  public static final String JSON = "application/json; charset=utf-8";

  public HttpAnswer {
    body = body.clone();
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** {@code status} with a JSON body (UTF-8) and {@code headers} plus its Content-Type. */
  public static HttpAnswer json(int status, String json, Map<String, String> headers) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Content-Type", JSON);
    return new HttpAnswer(status, json.getBytes(StandardCharsets.UTF_8), h);
  }

  /** {@code status} without a body or headers. */
  public static HttpAnswer empty(int status) {
    return new HttpAnswer(status, new byte[0], Map.of());
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
