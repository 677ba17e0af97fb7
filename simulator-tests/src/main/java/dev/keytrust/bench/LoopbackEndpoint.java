package dev.keytrust.bench;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link KeyRegistrationEndpoint} that posts the registration as JSON ({@code upn}, {@code keyId},
 * {@code kngc}: the key material, {@code keyCredentialLink}: the KEYCREDENTIALLINK_BLOB, all Base64)
 * over plain HTTP to a {@link LoopbackKeyService}, with the JDK's {@link HttpClient}: one real
 * request per registration, no retries. keytrust's DRS endpoint would need an RSA key and a token
 * source; this one takes either algorithm and keeps the benchmark independent of the lab.
 */
final class LoopbackEndpoint implements KeyRegistrationEndpoint {
  private static final Pattern KID = Pattern.compile("\"kid\"\\s*:\\s*\"([^\"]+)\"");

  private final URI base;
  private final HttpClient client;

  LoopbackEndpoint(String base) {
    this.base = URI.create(base);
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public RegistrationReceipt register(KeyRegistration r) throws KeytrustException {
    Base64.Encoder b64 = Base64.getEncoder();
    String json = "{\"upn\":\"" + r.userPrincipalName() + "\",\"keyId\":\"" + r.keyIdBase64()
        + "\",\"kngc\":\"" + b64.encodeToString(r.keyMaterial()) + "\",\"keyCredentialLink\":\""
        + b64.encodeToString(r.keyCredentialLink()) + "\"}";
    String requestId = UUID.randomUUID().toString();
    HttpRequest request = HttpRequest.newBuilder(base)
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("client-request-id", requestId)
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.US_ASCII))
        .build();
    HttpResponse<String> response = send(request);
    Matcher m = KID.matcher(response.body());
    if (response.statusCode() != 200 || !m.find()) {
      throw new KeytrustException(CoreErrorCode.INTERNAL,
          "The loopback key service answered HTTP " + response.statusCode() + " without a kid.");
    }
    return new RegistrationReceipt(describe(), r.keyIdBase64(), m.group(1), r.userPrincipalName(), null, requestId,
        false, Instant.now());
  }

  @Override
  public void unregister(KeyRegistration r) throws KeytrustException {
    URI target = base.resolve("keys/" + Base64.getUrlEncoder().withoutPadding().encodeToString(r.keyId()));
    send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30)).DELETE().build());
  }

  private HttpResponse<String> send(HttpRequest request) throws KeytrustException {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new KeytrustException(CoreErrorCode.INTERNAL, "The loopback key service failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeytrustException(CoreErrorCode.INTERNAL, "Interrupted while registering.", e);
    }
  }

  @Override
  public String describe() {
    return base.toString();
  }

  @Override
  public void close() {
    // the JDK 17 HttpClient has no close; its threads are daemons
  }
}
