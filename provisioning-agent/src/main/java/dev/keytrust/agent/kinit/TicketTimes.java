package dev.keytrust.agent.kinit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A ticket's times from the KDC's reply (RFC 4120 EncKDCRepPart).
 *
 * @param authTime when the user authenticated
 * @param startTime when the ticket becomes valid (authTime when the KDC left it out)
 * @param endTime when it expires
 * @param renewTill until when it can be renewed, when it is renewable
 */
public record TicketTimes(Instant authTime, Instant startTime, Instant endTime,
    Optional<Instant> renewTill) {

  public TicketTimes {
    Objects.requireNonNull(authTime, "authTime");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(endTime, "endTime");
    Objects.requireNonNull(renewTill, "renewTill");
  }
}
