package dev.keytrust.lab.keyservice;

import dev.keytrust.lab.LabException;
import dev.keytrust.lab.http.LabJson;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The lab services' access tokens: compact JWTs signed with HMAC-SHA256 under a key that exists
 * only in this object, with the claims [MS-KPP] §3.1.5.1.1.3 checks ({@code upn}, {@code
 * deviceid}, {@code amr}), {@code aud}, {@code iss}, {@code iat} and {@code exp}.
 */
public final class LabTokens {
  /** The {@code iss} of every token. */
  public static final String ISSUER = "https://keytrust-lab.invalid/";

  /** Why a token was refused: a KPP error code and a message that never quotes the token. */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    Rejected(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** What a valid token says. */
  public record Subject(String upn, UUID deviceId) {}

  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();
  private static final String HEADER = B64URL.encodeToString(
      "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.US_ASCII));

  private final byte[] key = new byte[32];
  private final String audience;
  private final Clock clock;

  /** Tokens for {@code aud} {@code audience}, with a new random key; {@code clock} for iat and exp. */
  public LabTokens(String audience, Clock clock) {
    new SecureRandom().nextBytes(key);
    this.audience = audience;
    this.clock = clock;
  }

  /** A signed token with exactly these claims. */
  public String issue(TokenClaims claims) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("aud", audience);
    payload.put("iss", ISSUER);
    payload.put("iat", clock.instant().getEpochSecond());
    payload.put("exp", claims.expiresAt().getEpochSecond());
    if (claims.upn() != null) {
      payload.put("upn", claims.upn());
    }
    if (claims.deviceId() != null) {
      payload.put("deviceid", claims.deviceId().toString());
    }
    payload.put("amr", new ArrayList<>(claims.amr()));
    String body = B64URL.encodeToString(LabJson.write(payload).getBytes(StandardCharsets.UTF_8));
    String signingInput = HEADER + "." + body;
    return signingInput + "." + B64URL.encodeToString(mac(signingInput));
  }

  /** Checks signature, algorithm, audience, expiry and the KPP claims. */
  public Subject validate(String token) throws Rejected {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new Rejected("invalid_token", "The access token is not a compact JWT.");
    }
    byte[] signature;
    Map<?, ?> header;
    Map<?, ?> payload;
    try {
      signature = B64URL_DECODER.decode(parts[2]);
      header = object(B64URL_DECODER.decode(parts[0]));
      payload = object(B64URL_DECODER.decode(parts[1]));
    } catch (IllegalArgumentException | LabJson.JsonException e) {
      throw new Rejected("invalid_token", "The access token is not a well-formed JWT.");
    }
    if (!"HS256".equals(header.get("alg"))) {
      throw new Rejected("invalid_token", "The access token is not signed with this service's key.");
    }
    if (!MessageDigest.isEqual(signature, mac(parts[0] + "." + parts[1]))) {
      throw new Rejected("invalid_token", "The access token's signature is not valid.");
    }
    if (!audience.equals(payload.get("aud"))) {
      throw new Rejected("invalid_token", "The access token is not for this service (aud).");
    }
    if (!(payload.get("exp") instanceof BigDecimal exp)
        || exp.longValue() <= clock.instant().getEpochSecond()) {
      throw new Rejected("token_expired", "The access token has expired.");
    }
    if (!(payload.get("upn") instanceof String upn) || upn.isBlank()) {
      throw new Rejected("insufficient_claims", "The access token has no upn claim.");
    }
    UUID deviceId;
    try {
      deviceId = UUID.fromString(String.valueOf(payload.get("deviceid")));
    } catch (IllegalArgumentException e) {
      throw new Rejected(
          "insufficient_claims", "The access token has no deviceid claim of a registered device.");
    }
    if (!(payload.get("amr") instanceof List<?> amr) || !amr.contains("ngcmfa")) {
      throw new Rejected(
          "insufficient_claims",
          "The access token's amr claim lacks ngcmfa: sign in again with fresh multi-factor"
              + " authentication.");
    }
    return new Subject(upn, deviceId);
  }

  private static Map<?, ?> object(byte[] json) throws LabJson.JsonException {
    if (LabJson.parse(json) instanceof Map<?, ?> m) {
      return m;
    }
    throw new LabJson.JsonException("not an object");
  }

  private byte[] mac(String signingInput) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new LabException("HMAC-SHA256 is missing from the JDK", e);
    }
  }

  /** Names the algorithm only: the key never leaves this object. */
  @Override
  public String toString() {
    return "LabTokens[HS256, aud " + audience + "]";
  }

  /** The {@code amr} of a user who signed in with a password and fresh MFA: {@code pwd, ngcmfa}. */
  public static List<String> defaultAmr() {
    return List.of("pwd", "ngcmfa");
  }
}
