package dev.keytrust.agent.pam;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A Linux account as {@code getent passwd} gives it: what the PAM sign-in needs of the user.
 *
 * @param name the user name (PAM_USER)
 * @param uid the user id
 * @param gid the primary group id
 * @param home the home directory
 */
public record LinuxAccount(String name, int uid, int gid, Path home) {
  public LinuxAccount {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(home, "home");
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("uid and gid are not negative");
    }
  }
}
