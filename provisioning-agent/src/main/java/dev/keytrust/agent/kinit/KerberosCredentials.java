package dev.keytrust.agent.kinit;

import java.util.List;
import java.util.Objects;

/**
 * A ticket-granting ticket from a key trust sign-in: what a credential cache holds for it. Immutable
 * but for {@link #close()}, which wipes the session key. {@code toString} shows no key.
 *
 * <p>{@link FileCredentialCache#write} stores it for MIT Kerberos and Heimdal tools; an agent may as
 * well hand it to its own Kerberos code.
 */
public final class KerberosCredentials implements AutoCloseable {
  private final KerberosName client;
  private final KerberosName server;
  private final SessionKey sessionKey;
  private final TicketTimes times;
  private final TicketFlags flags;
  private final List<HostAddress> addresses;
  private final byte[] ticket;
  private final PkinitDetails details;

  /**
   * @param client the client as the KDC named it in the reply (canonical)
   * @param server the ticket's service, {@code krbtgt/REALM@REALM}
   * @param sessionKey the session key (taken over)
   * @param times the ticket's times
   * @param flags the ticket's flags
   * @param addresses its client addresses (usually none)
   * @param ticket the DER Ticket, opaque to the client
   * @param details how the sign-in went
   */
  public KerberosCredentials(KerberosName client, KerberosName server, SessionKey sessionKey,
      TicketTimes times, TicketFlags flags, List<HostAddress> addresses, byte[] ticket,
      PkinitDetails details) {
    this.client = Objects.requireNonNull(client, "client");
    this.server = Objects.requireNonNull(server, "server");
    this.sessionKey = Objects.requireNonNull(sessionKey, "sessionKey");
    this.times = Objects.requireNonNull(times, "times");
    this.flags = Objects.requireNonNull(flags, "flags");
    this.addresses = List.copyOf(addresses);
    this.ticket = Objects.requireNonNull(ticket, "ticket").clone();
    this.details = Objects.requireNonNull(details, "details");
  }

  public KerberosName client() {
    return client;
  }

  public KerberosName server() {
    return server;
  }

  public SessionKey sessionKey() {
    return sessionKey;
  }

  public TicketTimes times() {
    return times;
  }

  public TicketFlags flags() {
    return flags;
  }

  public List<HostAddress> addresses() {
    return addresses;
  }

  /** The DER Ticket (encrypted for the KDC; not secret to the holder of the session key alone). */
  public byte[] ticket() {
    return ticket.clone();
  }

  public PkinitDetails details() {
    return details;
  }

  /** Wipes the session key. */
  @Override
  public void close() {
    sessionKey.close();
  }

  @Override
  public String toString() {
    return "KerberosCredentials[" + client + " -> " + server + ", " + sessionKey.etypeName()
        + ", until " + times.endTime() + "]";
  }
}
