package dev.keytrust.agent.prereq;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is signed in, as on-premises and cloud directories know the user.
 *
 * @param onPremUpn the user's UPN in on-premises AD (empty for a cloud-only user)
 * @param cloudUpn the user's UPN in the cloud directory (empty when unknown)
 * @param onPremisesUserPrincipalName the cloud directory's synchronized copy of the on-premises UPN
 *     (Entra {@code onPremisesUserPrincipalName}; empty when not synchronized)
 * @param groups the security groups the user is a member of, by name or object id
 * @param claims claims of the user's cloud token, {@link TokenClaims#NONE} without a token
 */
public record UserIdentity(
    Optional<String> onPremUpn,
    Optional<String> cloudUpn,
    Optional<String> onPremisesUserPrincipalName,
    List<String> groups,
    TokenClaims claims) {

  public UserIdentity {
    checkUpn(onPremUpn, "onPremUpn");
    checkUpn(cloudUpn, "cloudUpn");
    checkUpn(onPremisesUserPrincipalName, "onPremisesUserPrincipalName");
    groups = List.copyOf(groups);
    Objects.requireNonNull(claims, "claims");
  }

  /** A user nobody knows anything about: no UPNs, groups or token. */
  public static UserIdentity unknown() {
    return new UserIdentity(Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
        TokenClaims.NONE);
  }

  /** The name reports use: the cloud UPN, else the on-premises UPN, else "the user". */
  public String displayName() {
    return cloudUpn.or(() -> onPremUpn).orElse("the user");
  }

  /** The part after the {@code @} of a UPN, in lower case. */
  public static String suffix(String upn) {
    return upn.substring(upn.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
  }

  /** True when {@code upn} has the form name@suffix with neither part empty and one {@code @}. */
  public static boolean isUpn(String upn) {
    int at = upn.indexOf('@');
    return at > 0 && at == upn.lastIndexOf('@') && at < upn.length() - 1
        && upn.chars().noneMatch(c -> c <= 0x20 || c == 0x7f);
  }

  private static void checkUpn(Optional<String> upn, String what) {
    Objects.requireNonNull(upn, what);
    if (upn.isPresent() && !isUpn(upn.get())) {
      throw new IllegalArgumentException(what + " is not a UPN of the form name@domain: " + upn.get());
    }
  }
}
