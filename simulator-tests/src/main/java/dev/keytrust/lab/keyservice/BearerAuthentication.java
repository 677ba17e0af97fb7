package dev.keytrust.lab.keyservice;

import com.sun.net.httpserver.HttpExchange;
import java.util.List;

/** Who sent a request: its one {@code Authorization: Bearer} token, checked by {@link LabTokens}. */
public final class BearerAuthentication {
  private BearerAuthentication() {}

  /**
   * The token's subject.
   *
   * @throws Refusal 401 {@code missing_token} without one Bearer Authorization header, else 401
   *     with the token's {@link LabTokens.Rejected#code()}
   */
  public static LabTokens.Subject authenticate(HttpExchange exchange, LabTokens tokens)
      throws Refusal {
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
}
