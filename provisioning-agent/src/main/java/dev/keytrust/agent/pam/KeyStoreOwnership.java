package dev.keytrust.agent.pam;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The key store seen from a root process that signs a user in: the store must be the user's or
 * root's, and the files root creates or replaces in a user's store while it checks the PIN (the
 * PIN-check lock, the software provider's attempt counter) are given back to the store's owner,
 * so that the user's own keytrust can still update them.
 */
final class KeyStoreOwnership {
  private KeyStoreOwnership() {}

  /**
   * Refuses a store another user owns, or its group or others can write.
   *
   * @throws AgentException PAM_KEY_STORE_UNSAFE
   */
  static void requireSafe(Path store, LinuxAccount account) throws AgentException {
    try {
      int owner = (Integer) Files.getAttribute(store, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (owner != 0 && owner != account.uid()) {
        throw unsafe(store, "it is owned by uid " + owner + ", not by " + account.name() + " or root");
      }
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(store, LinkOption.NOFOLLOW_LINKS);
      if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw unsafe(store, "its group or others can write it");
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw unsafe(store, "it cannot be read (" + e.getMessage() + ")");
    }
  }

  /**
   * Gives the files directly in {@code userDirectory} and the store's lock file that root owns to
   * the owner of {@code store}, when that is not root. Best effort and silent: a file left to root
   * only stops the user's own keytrust from updating it.
   */
  static void giveBack(Path store, Path userDirectory) {
    try {
      int owner = (Integer) Files.getAttribute(store, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      int group = (Integer) Files.getAttribute(store, "unix:gid", LinkOption.NOFOLLOW_LINKS);
      if (owner == 0) {
        return;
      }
      List<Path> files = new ArrayList<>(List.of(store.resolve(".lock"), userDirectory));
      if (Files.isDirectory(userDirectory, LinkOption.NOFOLLOW_LINKS)) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(userDirectory)) {
          entries.forEach(files::add);
        }
      }
      for (Path f : files) {
        if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)
            && (Integer) Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS) == 0) {
          Files.setAttribute(f, "unix:gid", group, LinkOption.NOFOLLOW_LINKS);
          Files.setAttribute(f, "unix:uid", owner, LinkOption.NOFOLLOW_LINKS);
        }
      }
    } catch (IOException | RuntimeException e) {
      // best effort, see above; nothing is logged
    }
  }

  private static AgentException unsafe(Path store, String why) {
    return new AgentException(AgentErrorCode.PAM_KEY_STORE_UNSAFE, "The key store " + store
        + " is not used: " + why + ". Give it to the user (chown -R USER " + store + ";"
        + " chmod 700 " + store + ").");
  }
}
