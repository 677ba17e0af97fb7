package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.internal.json.JsonException;
import dev.keytrust.internal.json.StrictJson;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the DRS key service's JSON bodies ([MS-KPP] §3.1.5.1.1.2, §2.2.3.1).
 *
 * <ul>
 *   <li>Success: an object with {@code kid} (a GUID), {@code upn} and optionally {@code pctx}
 *       (Base64, opaque). Other members are ignored.
 *   <li>Errors, in the three shapes servers use: KPP ErrorDetails {@code {"code", "message", ...}},
 *       the Entra wrapper {@code {"error": {"code", "message"}}}, and OAuth's {@code {"error",
 *       "error_description"}} (RFC 6750 §3).
 * </ul>
 */
final class DrsResponses {
  /** Bodies larger than this are refused unread (a receipt is a few hundred bytes). */
  static final int MAX_BODY = 64 * 1024;
  /** Nesting deeper than this is refused (ErrorDetails nests two levels). */
  static final int MAX_DEPTH = 16;

  static final int MAX_UPN = 1024;
  static final int MAX_QUOTED = 300;

  private static final Pattern GUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private DrsResponses() {}

  /** A successful registration's body. */
  record Receipt(String kid, String upn, String pctx) {}

  /** The server's own error code and message, either of which may be missing. */
  record ServerError(String code, String message) {
    /** {@code error 'code': message}, sanitized and shortened, for our messages. */
    String quote(BearerToken token) {
      StringBuilder out = new StringBuilder("the server said");
      if (code != null) {
        out.append(" error '").append(sanitize(code, token)).append("'");
      }
      if (message != null) {
        out.append(": ").append(sanitize(message, token));
      }
      return out.toString();
    }
  }

  /** A body that is not what the protocol says; the message never quotes the body. */
  static final class MalformedResponseException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedResponseException(String message) {
      super(message);
    }
  }

  /**
   * The registration receipt in a 200 body.
   *
   * @throws MalformedResponseException when the body is not a JSON object with a GUID {@code kid}
   *     and a non-empty {@code upn}, or {@code pctx} is present but not a Base64 string
   */
  static Receipt parseReceipt(byte[] body) throws MalformedResponseException {
    Map<String, Object> object = object(body);
    String kid = string(object, "kid")
        .orElseThrow(() -> new MalformedResponseException("it has no 'kid' string"));
    if (!GUID.matcher(kid).matches()) {
      throw new MalformedResponseException("its 'kid' is not a GUID");
    }
    String upn = string(object, "upn")
        .orElseThrow(() -> new MalformedResponseException("it has no 'upn' string"));
    if (upn.isBlank() || upn.length() > MAX_UPN || hasControl(upn)) {
      throw new MalformedResponseException(
          "its 'upn' is empty, longer than " + MAX_UPN + " characters or has control characters");
    }
    Object pctxValue = object.get("pctx");
    String pctx = null;
    if (pctxValue != null && pctxValue != StrictJson.NULL) {
      if (!(pctxValue instanceof String s)) {
        throw new MalformedResponseException("its 'pctx' is not a string");
      }
      try {
        Base64.getDecoder().decode(s);
      } catch (IllegalArgumentException e) {
        throw new MalformedResponseException("its 'pctx' is not Base64");
      }
      pctx = s;
    }
    return new Receipt(kid, upn, pctx);
  }

  /** The most keys a listing may hold. */
  static final int MAX_LISTED = 1000;

  /** One key of a listing (keytrust's GET extension). */
  record Listed(String kid, String upn, byte[] keyId, byte[] keyMaterial, java.util.UUID deviceId,
      java.time.Instant created) {}

  /**
   * The keys of a 200 listing body: {@code {"value": [{"kid", "upn", "keyIdentifier", "keyMaterial"?,
   * "deviceId"?, "creationTime"?}]}}.
   *
   * @throws MalformedResponseException when it is not that: a value without a GUID kid, a upn, or a
   *     Base64 keyIdentifier of 32 bytes; a keyIdentifier that is not SHA-256 of the keyMaterial;
   *     a malformed deviceId or creationTime; more than {@value #MAX_LISTED} keys
   */
  static java.util.List<Listed> parseList(byte[] body) throws MalformedResponseException {
    Map<String, Object> object = object(body);
    Object value = object.get("value");
    if (!(value instanceof java.util.List<?> list)) {
      throw new MalformedResponseException("it has no 'value' array");
    }
    if (list.size() > MAX_LISTED) {
      throw new MalformedResponseException("it lists more than " + MAX_LISTED + " keys");
    }
    java.util.List<Listed> out = new java.util.ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?>)) {
        throw new MalformedResponseException("a 'value' entry is not an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> k = (Map<String, Object>) o;
      String kid = string(k, "kid").orElseThrow(() -> new MalformedResponseException("a key has no 'kid'"));
      if (!GUID.matcher(kid).matches()) {
        throw new MalformedResponseException("a key's 'kid' is not a GUID");
      }
      String upn = string(k, "upn").orElseThrow(() -> new MalformedResponseException("a key has no 'upn'"));
      if (upn.isBlank() || upn.length() > MAX_UPN || hasControl(upn)) {
        throw new MalformedResponseException("a key's 'upn' is empty, too long or has control characters");
      }
      byte[] keyId = base64(k, "keyIdentifier");
      if (keyId == null || keyId.length != 32) {
        throw new MalformedResponseException("a key's 'keyIdentifier' is not 32 bytes of Base64");
      }
      byte[] material = base64(k, "keyMaterial");
      if (material != null && !java.util.Arrays.equals(dev.keytrust.internal.Sha256.of(material), keyId)) {
        throw new MalformedResponseException("a key's 'keyIdentifier' is not SHA-256 of its 'keyMaterial'");
      }
      java.util.UUID device = null;
      Optional<String> d = string(k, "deviceId");
      if (d.isPresent()) {
        if (!GUID.matcher(d.get()).matches()) {
          throw new MalformedResponseException("a key's 'deviceId' is not a GUID");
        }
        device = java.util.UUID.fromString(d.get());
      }
      java.time.Instant created = null;
      Optional<String> c = string(k, "creationTime");
      if (c.isPresent()) {
        try {
          created = java.time.Instant.parse(c.get());
        } catch (java.time.format.DateTimeParseException e) {
          throw new MalformedResponseException("a key's 'creationTime' is not an ISO-8601 instant");
        }
      }
      out.add(new Listed(kid, upn, keyId, material, device, created));
    }
    return out;
  }

  private static byte[] base64(Map<String, Object> object, String name) throws MalformedResponseException {
    Optional<String> s = string(object, name);
    if (s.isEmpty()) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(s.get());
    } catch (IllegalArgumentException e) {
      throw new MalformedResponseException("a key's '" + name + "' is not Base64");
    }
  }

  /** The server's error code and message from an error body, if it has either. */
  static Optional<ServerError> parseError(byte[] body) {
    Map<String, Object> object;
    try {
      object = object(body);
    } catch (MalformedResponseException e) {
      return Optional.empty();
    }
    Object error = object.get("error");
    if (error instanceof Map<?, ?> inner) {
      return error(text(inner.get("code")), text(inner.get("message")));
    }
    if (error instanceof String oauthCode) {
      return error(oauthCode, text(object.get("error_description")));
    }
    return error(text(object.get("code")), text(object.get("message")));
  }

  /**
   * Server text made safe for a one-line message: control characters become spaces, the token (if
   * the server echoed it) becomes {@code <token>}, and it is cut to {@value #MAX_QUOTED} characters.
   */
  static String sanitize(String text, BearerToken token) {
    String s = token == null ? text : token.redact(text);
    s = s.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
    if (s.length() > MAX_QUOTED) {
      s = s.substring(0, MAX_QUOTED) + "...";
    }
    return s;
  }

  private static Optional<ServerError> error(String code, String message) {
    if (code == null && message == null) {
      return Optional.empty();
    }
    return Optional.of(new ServerError(code, message));
  }

  private static String text(Object value) {
    return value instanceof String s && !s.isBlank() ? s : null;
  }

  private static Map<String, Object> object(byte[] body) throws MalformedResponseException {
    Object value;
    try {
      value = StrictJson.parse(body, MAX_BODY, MAX_DEPTH);
    } catch (JsonException e) {
      throw new MalformedResponseException("it is not valid JSON: " + e.getMessage());
    }
    if (!(value instanceof Map<?, ?>)) {
      throw new MalformedResponseException("it is JSON but not an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) value;
    return object;
  }

  private static Optional<String> string(Map<String, Object> object, String name)
      throws MalformedResponseException {
    Object value = object.get(name);
    if (value == null || value == StrictJson.NULL) {
      return Optional.empty();
    }
    if (!(value instanceof String s)) {
      throw new MalformedResponseException("its '" + name + "' is not a string");
    }
    return Optional.of(s);
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(Character::isISOControl);
  }
}
