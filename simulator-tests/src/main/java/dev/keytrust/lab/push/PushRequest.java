package dev.keytrust.lab.push;

import java.time.Instant;

/**
 * A push MFA request.
 *
 * @param id its id (URL-safe, 22 characters)
 * @param upn the user it is for (the token's)
 * @param createdAt when it was started
 * @param status its state now
 * @param decidedAt when it was approved or denied, or null
 */
public record PushRequest(String id, String upn, Instant createdAt, PushStatus status, Instant decidedAt) {}
