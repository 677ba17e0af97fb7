package dev.keytrust.agent.pam;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who runs {@code keytrust pam-auth}: its real and effective user ids, from {@code
 * /proc/self/status}. A real uid of 0 is root (login, sshd, a display manager, or pam_exec's
 * {@code seteuid} under su and sudo): it may sign any mapped user in. Any other caller may sign in
 * only itself.
 *
 * @param realUid the real user id
 * @param effectiveUid the effective user id
 */
public record PamCaller(int realUid, int effectiveUid) {

  /** This process. */
  public static PamCaller current() throws AgentException {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : lines) {
        if (line.startsWith("Uid:")) {
          String[] f = line.substring(4).strip().split("\\s+");
          return new PamCaller(Integer.parseInt(f[0]), Integer.parseInt(f[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new AgentException(AgentErrorCode.PAM_CALLER_NOT_ALLOWED,
          "Cannot tell who runs keytrust (/proc/self/status): " + e.getMessage(), e);
    }
    throw new AgentException(AgentErrorCode.PAM_CALLER_NOT_ALLOWED,
        "Cannot tell who runs keytrust: /proc/self/status has no Uid line.");
  }

  /** True for root (real uid 0). */
  public boolean isRoot() {
    return realUid == 0;
  }

  /**
   * Refuses a caller other than root that asks for another user's ticket.
   *
   * @throws AgentException PAM_CALLER_NOT_ALLOWED
   */
  public void requireMaySignIn(LinuxAccount user) throws AgentException {
    if (!isRoot() && realUid != user.uid()) {
      throw new AgentException(AgentErrorCode.PAM_CALLER_NOT_ALLOWED, "keytrust runs as uid "
          + realUid + ", not as root, and may sign in only that user, not " + user.name()
          + " (uid " + user.uid() + "). Under su or sudo, give pam_exec the seteuid option.");
    }
  }
}
