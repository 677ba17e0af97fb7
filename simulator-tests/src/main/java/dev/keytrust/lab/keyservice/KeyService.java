package dev.keytrust.lab.keyservice;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.lab.http.HttpAnswer;
import dev.keytrust.lab.http.LabJson;
import dev.keytrust.lab.http.LoopbackHttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The lab's key registration service: the DRS-style protocol ([MS-KPP] §3.1.5.1.1) over a {@link
 * KeyRegistry}.
 *
 * <ul>
 *   <li>{@code POST /EnrollmentServer/key/?api-version=1.0} with {@code Authorization: Bearer},
 *       {@code Accept: application/json}, {@code Content-Type: application/json} and {@code
 *       {"kngc": "<Base64 BCRYPT_RSAKEY_BLOB>"}} registers the key for the token's user and answers
 *       200 {@code {"kid": "<GUID>", "upn": "..."}}, with the headers {@code request-id} and {@code
 *       keytrust-key-state: created|existing}. The same key again gives the same {@code kid} and no
 *       second registration; a key another user registered gives 400 {@code key_in_use}.
 *   <li>keytrust extension: {@code GET /EnrollmentServer/key/?api-version=1.0} lists the token user's
 *       keys, in registration order: 200 {@code {"value": [{"kid", "upn", "keyIdentifier" (Base64
 *       SHA-256 of the key material), "keyMaterial" (Base64 BCRYPT_RSAKEY_BLOB), "deviceId",
 *       "creationTime" (ISO-8601)}]}}, as Microsoft Graph lists a user's Windows Hello keys.
 *   <li>keytrust extension: {@code DELETE /EnrollmentServer/key/<Base64url key id>?api-version=1.0}
 *       removes the token user's key and answers 204, also when it was not there; another user's
 *       key gives 403.
 *   <li>400 for a missing or wrong api-version (query or header, not both), Accept other than
 *       {@code application/json}, another Content-Type, a body that is not a JSON object with a
 *       string {@code kngc}, a body over {@value #MAX_REQUEST_BODY} bytes, and a {@code kngc} that
 *       is not a well-formed RSA1 blob of at least 2048 bits; 405 for other methods.
 * </ul>
 *
 * <p>Refusals are {@link Refusal}s, answered with {@link ErrorDetails}; tokens are checked by
 * {@link BearerAuthentication}.
 */
public final class KeyService {
  /** The key endpoint path. */
  public static final String KEY_PATH = "/EnrollmentServer/key/";
  /** Response header (keytrust extension): {@code created} or {@code existing}. */
  public static final String KEY_STATE_HEADER = "keytrust-key-state";
  /** Largest request body read. */
  public static final int MAX_REQUEST_BODY = 64 * 1024;

  private static final int MIN_RSA_BITS = 2048;
  private static final int MAX_RSA_BITS = 16384;

  private final LabTokens tokens;
  private final KeyRegistry registry;

  public KeyService(LabTokens tokens, KeyRegistry registry) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The registrations this service keeps. */
  public KeyRegistry registry() {
    return registry;
  }

  /** Whether {@code path} is the key endpoint or a key under it. */
  public static boolean serves(String path) {
    return path.startsWith(KEY_PATH) && path.indexOf('/', KEY_PATH.length()) < 0;
  }

  /**
   * Answers a request whose path it {@link #serves}.
   *
   * @param requestId the service's id of the request, sent back as {@code request-id}
   * @throws Refusal for anything the protocol refuses
   */
  public HttpAnswer handle(HttpExchange exchange, String requestId) throws Refusal, IOException {
    String path = exchange.getRequestURI().getRawPath();
    String method = exchange.getRequestMethod();
    if (path.equals(KEY_PATH)) {
      if (method.equals("GET")) {
        LabTokens.Subject subject = BearerAuthentication.authenticate(exchange, tokens);
        checkProtocol(exchange, false);
        LoopbackHttpServer.drain(exchange.getRequestBody(), MAX_REQUEST_BODY);
        return list(subject);
      }
      if (!method.equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "GET, POST");
        throw new Refusal(405, "method_not_allowed", "Use POST to register a key, GET to list yours.", null);
      }
      LabTokens.Subject subject = BearerAuthentication.authenticate(exchange, tokens);
      checkProtocol(exchange, true);
      byte[] keyMaterial = kngc(exchange);
      return register(subject, keyMaterial, requestId);
    }
    if (!method.equals("DELETE")) {
      exchange.getResponseHeaders().set("Allow", "DELETE");
      throw new Refusal(405, "method_not_allowed", "Use DELETE to remove a key.", null);
    }
    LabTokens.Subject subject = BearerAuthentication.authenticate(exchange, tokens);
    checkProtocol(exchange, false);
    LoopbackHttpServer.drain(exchange.getRequestBody(), MAX_REQUEST_BODY);
    return remove(subject, path.substring(KEY_PATH.length()));
  }

  /**
   * The KPP request rules every route of the service keeps: {@code api-version=1.0} once (query or
   * header), {@code Accept: application/json}, and for a request with a body {@code Content-Type:
   * application/json}. Public for other routes on the same service (keytrust's extensions).
   *
   * @throws Refusal 400 {@code invalid_api_version}, {@code invalid_accept} or {@code
   *     invalid_content_type}
   */
  public static void checkProtocol(HttpExchange exchange, boolean hasBody) throws Refusal {
    Headers h = exchange.getRequestHeaders();
    List<String> fromQuery = queryValues(exchange.getRequestURI().getRawQuery(), "api-version");
    List<String> fromHeader = h.get("api-version") == null ? List.of() : h.get("api-version");
    if (fromQuery.size() + fromHeader.size() != 1) {
      throw new Refusal(
          400, "invalid_api_version",
          "Give api-version=1.0 once, as a query parameter or a header (not both).", "api-version");
    }
    String version = fromQuery.isEmpty() ? fromHeader.get(0) : fromQuery.get(0);
    if (!version.equals("1.0")) {
      throw new Refusal(400, "invalid_api_version", "The api-version must be 1.0.", "api-version");
    }
    List<String> accept = h.get("Accept");
    if (accept == null || accept.size() != 1 || !accept.get(0).strip().equals("application/json")) {
      throw new Refusal(
          400, "invalid_accept", "The Accept header must be application/json.", "Accept");
    }
    if (hasBody) {
      String type = h.getFirst("Content-Type");
      String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
      if (!media.equals("application/json")) {
        throw new Refusal(
            400, "invalid_content_type", "The Content-Type must be application/json.",
            "Content-Type");
      }
    }
  }

  private static byte[] kngc(HttpExchange exchange) throws Refusal, IOException {
    String kngc = JsonBody.stringMember(exchange, "kngc");
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(kngc);
    } catch (IllegalArgumentException e) {
      throw new Refusal(400, "invalid_kngc", "kngc is not Base64.", "kngc");
    }
    String problem = rsa1Problem(blob);
    if (problem != null) {
      throw new Refusal(400, "invalid_kngc", "kngc is not a usable RSA public key: " + problem + ".", "kngc");
    }
    return blob;
  }

  /** Why {@code blob} is not a BCRYPT_RSAKEY_BLOB (RSA1) of 2048+ bits, or null when it is one. */
  static String rsa1Problem(byte[] blob) {
    BcryptKeyBlob parsed;
    try {
      parsed = BcryptKeyBlob.parse(blob);
    } catch (KeyCredentialFormatException e) {
      return e.getMessage();
    }
    if (!parsed.isRsa()) {
      return "the magic is not RSA1";
    }
    int bits = parsed.bitLength();
    if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      return "BitLength " + bits + " is outside " + MIN_RSA_BITS + ".." + MAX_RSA_BITS;
    }
    BigInteger e = parsed.rsaExponent();
    if (e.bitLength() > 64) {
      return "the public exponent is longer than 8 bytes";
    }
    if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0) {
      return "the public exponent is not an odd number of at least 3";
    }
    if (!parsed.rsaModulus().testBit(0)) {
      return "the modulus is even";
    }
    return null;
  }

  private HttpAnswer register(LabTokens.Subject subject, byte[] keyMaterial, String requestId)
      throws Refusal {
    KeyRegistry.Registration registration;
    try {
      registration = registry.register(subject.upn(), subject.deviceId(), keyMaterial);
    } catch (KeyRegistry.OwnedByAnotherUser e) {
      throw new Refusal(
          400, "key_in_use", "This key is registered to another user.", "kngc");
    }
    RegisteredKey key = registration.key();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("kid", key.kid().toString());
    body.put("upn", key.upn());
    return HttpAnswer.json(
        200, LabJson.write(body),
        Map.of(KEY_STATE_HEADER, registration.created() ? "created" : "existing",
            "request-id", requestId));
  }

  /** The token user's keys, in registration order: {@code {"value": [{kid, upn, keyIdentifier, ...}]}}. */
  private HttpAnswer list(LabTokens.Subject subject) {
    List<Object> value = new ArrayList<>();
    for (RegisteredKey key : registry.registrations()) {
      if (!key.upn().equalsIgnoreCase(subject.upn())) {
        continue;
      }
      Map<String, Object> k = new LinkedHashMap<>();
      k.put("kid", key.kid().toString());
      k.put("upn", key.upn());
      k.put("keyIdentifier", key.keyIdBase64());
      k.put("keyMaterial", Base64.getEncoder().encodeToString(key.keyMaterial()));
      k.put("deviceId", key.deviceId() == null ? null : key.deviceId().toString());
      k.put("creationTime", key.registeredAt().toString());
      value.add(k);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("value", value);
    return HttpAnswer.json(200, LabJson.write(body), Map.of());
  }

  private HttpAnswer remove(LabTokens.Subject subject, String segment) throws Refusal {
    byte[] keyId;
    try {
      keyId = Base64.getUrlDecoder().decode(segment);
    } catch (IllegalArgumentException e) {
      keyId = new byte[0];
    }
    if (keyId.length != 32 || segment.contains("=")) {
      throw new Refusal(
          400, "invalid_key_id", "The key id must be 32 bytes in unpadded Base64url.", null);
    }
    try {
      registry.remove(subject.upn(), keyId);
    } catch (KeyRegistry.OwnedByAnotherUser e) {
      throw new Refusal(
          403, "key_owned_by_another_user", "This key is registered to another user.", null);
    }
    return HttpAnswer.empty(204);
  }

  private static List<String> queryValues(String rawQuery, String name) {
    List<String> values = new ArrayList<>();
    if (rawQuery == null) {
      return values;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        values.add(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return values;
  }
}
