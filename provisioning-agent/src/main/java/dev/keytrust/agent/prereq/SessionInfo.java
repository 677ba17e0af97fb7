package dev.keytrust.agent.prereq;

import java.util.Objects;

/**
 * Whether the user's session is remote (SSH, remote desktop) or local, and how that was found.
 *
 * @param remote true for a remote session
 * @param evidence what told, e.g. {@code SSH_CONNECTION is set} or {@code loginctl: session 4 Remote=no}
 */
public record SessionInfo(boolean remote, String evidence) {
  public SessionInfo {
    Objects.requireNonNull(evidence, "evidence");
  }

  /** A local session, as the embedding agent knows it. */
  public static SessionInfo local(String evidence) {
    return new SessionInfo(false, evidence);
  }

  /** A remote session, as the embedding agent knows it. */
  public static SessionInfo remote(String evidence) {
    return new SessionInfo(true, evidence);
  }
}
