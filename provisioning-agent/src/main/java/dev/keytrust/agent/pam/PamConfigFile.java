package dev.keytrust.agent.pam;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.internal.StrictUtf8;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Reads {@code keytrust pam-auth}'s configuration file, trusting it only when no one but root (or,
 * for a caller that is not root, that caller) can have written it: a regular file, not a link,
 * owned by root (or the caller), not writable by its group or others. Whoever can write it decides
 * which UPN a Linux user signs in as, so a file others can change is refused, not read.
 */
public final class PamConfigFile {
  /** Longest file read. */
  static final int MAX_BYTES = 64 * 1024;

  private PamConfigFile() {}

  /**
   * The configuration in {@code file}.
   *
   * @throws AgentException PAM_CONFIG_UNSAFE (missing, unreadable, a link, another owner, writable
   *     by others), PAM_CONFIG_INVALID (malformed, with the line)
   */
  public static PamConfig read(Path file, PamCaller caller) throws AgentException {
    Path f = file.toAbsolutePath().normalize();
    try {
      if (Files.isSymbolicLink(f) || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
        throw unsafe(f, Files.exists(f, LinkOption.NOFOLLOW_LINKS)
            ? "it is not a regular file (a link or a folder)" : "it does not exist");
      }
      int owner = (Integer) Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (owner != 0 && (caller.isRoot() || owner != caller.realUid())) {
        throw unsafe(f, "it is owned by uid " + owner + ", not by root");
      }
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS);
      if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw unsafe(f, "its group or others can write it (chmod go-w " + f + ")");
      }
      if (Files.size(f) > MAX_BYTES) {
        throw unsafe(f, "it is larger than " + MAX_BYTES + " bytes");
      }
      byte[] bytes = Files.readAllBytes(f);
      String text;
      try {
        text = StrictUtf8.decode(bytes);
      } catch (CharacterCodingException e) {
        throw new AgentException(AgentErrorCode.PAM_CONFIG_INVALID, f + " is not UTF-8 text.");
      }
      return PamConfigParser.parse(text, f);
    } catch (NoSuchFileException e) {
      throw unsafe(f, "it does not exist");
    } catch (IOException | UnsupportedOperationException e) {
      throw unsafe(f, "it cannot be read (" + e.getMessage() + ")");
    }
  }

  private static AgentException unsafe(Path f, String why) {
    return new AgentException(AgentErrorCode.PAM_CONFIG_UNSAFE, "The keytrust PAM configuration "
        + f + " is not used: " + why + ". It must be a regular file owned by root and writable only"
        + " by root.");
  }
}
