package dev.keytrust.agent.prereq;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Claims of the user's cloud token (the PRT or the access token the agent holds), as strings. Only
 * non-secret claims belong here: never the token itself.
 *
 * @param claims claim name (lower case) to its values; {@code amr} has several, most have one
 */
public record TokenClaims(Map<String, List<String>> claims) {

  /** No token: the user has not signed in with cloud credentials. */
  public static final TokenClaims NONE = new TokenClaims(Map.of());

  public TokenClaims {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    claims.forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    claims = java.util.Collections.unmodifiableMap(copy);
  }

  /** True when there are no claims (no token). */
  public boolean isEmpty() {
    return claims.isEmpty();
  }

  /** The values of a claim, empty when absent. */
  public List<String> values(String name) {
    return claims.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  /** The first value of a claim. */
  public Optional<String> first(String name) {
    List<String> v = values(name);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** The authentication methods ({@code amr}), e.g. pwd, mfa, ngcmfa. */
  public List<String> amr() {
    return values("amr");
  }

  /** The device the token was issued through ({@code deviceid}). */
  public Optional<String> deviceId() {
    return first("deviceid");
  }

  /** The tenant that issued the token ({@code tid}). */
  public Optional<String> tenantId() {
    return first("tid");
  }
}
