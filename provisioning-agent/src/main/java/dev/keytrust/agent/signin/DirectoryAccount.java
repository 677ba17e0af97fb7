package dev.keytrust.agent.signin;

import dev.keytrust.agent.prereq.UserIdentity;
import java.util.Objects;

/**
 * Who to look up in the directory: the user object whose userPrincipalName is {@code upn}, or whose
 * sAMAccountName is {@code accountName} when one is given.
 *
 * @param upn the userPrincipalName searched for
 * @param accountName the sAMAccountName accepted as well, or null
 */
public record DirectoryAccount(String upn, String accountName) {

  public DirectoryAccount {
    Objects.requireNonNull(upn, "upn");
  }

  /**
   * As the provisioning flow searches for a key store user: the UPN is {@code upn} when given,
   * else the user name; the user name is also accepted as sAMAccountName unless it is a UPN
   * ({@code DOMAIN\name} counts as {@code name}).
   */
  public static DirectoryAccount of(String user, String upn) {
    Objects.requireNonNull(user, "user");
    String accountName = null;
    if (!UserIdentity.isUpn(user)) {
      int slash = user.lastIndexOf('\\');
      accountName = slash >= 0 ? user.substring(slash + 1) : user;
    }
    return new DirectoryAccount(upn != null ? upn : user, accountName);
  }

  /** {@code userPrincipalName=... [or sAMAccountName=...]}, for messages. */
  public String describe() {
    return "userPrincipalName=" + upn + (accountName == null ? "" : " or sAMAccountName=" + accountName);
  }
}
