package dev.keytrust.lab.keyservice;

import com.sun.net.httpserver.HttpExchange;
import dev.keytrust.lab.http.LabJson;
import dev.keytrust.lab.http.LoopbackHttpServer;
import java.io.IOException;
import java.util.Map;

/** The JSON object bodies of the lab services' requests, such as {@code {"kngc": "..."}}. */
public final class JsonBody {
  private JsonBody() {}

  /**
   * Reads the request body (at most {@link KeyService#MAX_REQUEST_BODY} bytes) and returns the
   * string member {@code name} of the JSON object it must be.
   *
   * @throws Refusal 400 {@code invalid_request} for a body too large, not JSON, or not an object
   *     with a string {@code name}
   */
  public static String stringMember(HttpExchange exchange, String name)
      throws Refusal, IOException {
    byte[] body =
        LoopbackHttpServer.readBounded(exchange.getRequestBody(), KeyService.MAX_REQUEST_BODY);
    if (body == null) {
      throw new Refusal(
          400, "invalid_request",
          "The request body is larger than " + KeyService.MAX_REQUEST_BODY + " bytes.", null);
    }
    Object json;
    try {
      json = LabJson.parse(body);
    } catch (LabJson.JsonException e) {
      throw new Refusal(400, "invalid_request", "The request body is not JSON: " + e.getMessage(), null);
    }
    if (!(json instanceof Map<?, ?> m) || !(m.get(name) instanceof String value)) {
      throw new Refusal(
          400, "invalid_request", "The request body must be an object with a string " + name + ".",
          name);
    }
    return value;
  }
}
