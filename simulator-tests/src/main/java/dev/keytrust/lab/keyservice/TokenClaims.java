package dev.keytrust.lab.keyservice;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What a token says. {@code null} upn or deviceId leave the claim out.
 *
 * @param upn the user principal name
 * @param deviceId the device id claim
 * @param amr the authentication methods, e.g. {@code pwd, ngcmfa}
 * @param expiresAt the {@code exp} claim (whole seconds)
 */
public record TokenClaims(String upn, UUID deviceId, List<String> amr, Instant expiresAt) {
  public TokenClaims {
    amr = List.copyOf(amr);
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
