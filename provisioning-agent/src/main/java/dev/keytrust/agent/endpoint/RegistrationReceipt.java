package dev.keytrust.agent.endpoint;

import java.time.Instant;
import java.util.Objects;

/**
 * What an endpoint reports after a successful registration. The flow records it in its journal so a
 * rerun does not register again, and {@code keytrust status} shows it.
 *
 * @param endpoint the endpoint's URI, without credentials
 * @param keyIdBase64 the key id (SHA-256 of the key material, Base64) that was registered
 * @param serverKeyId the server's own id for the registration: the DRS {@code kid} GUID, or the DN
 *     of the directory object the value was written to
 * @param userPrincipalName the UPN of the user object the key was written to, as the server says
 * @param serverContext the DRS {@code pctx} (opaque, Base64 CMS) or {@code null}
 * @param requestId the {@code client-request-id} sent, or {@code null} where the protocol has none
 * @param alreadyPresent true when the server already held this key (an idempotent repeat)
 * @param registeredAt when the registration was confirmed
 */
public record RegistrationReceipt(
    String endpoint,
    String keyIdBase64,
    String serverKeyId,
    String userPrincipalName,
    String serverContext,
    String requestId,
    boolean alreadyPresent,
    Instant registeredAt) {

  public RegistrationReceipt {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(keyIdBase64, "keyIdBase64");
    Objects.requireNonNull(registeredAt, "registeredAt");
  }
}
