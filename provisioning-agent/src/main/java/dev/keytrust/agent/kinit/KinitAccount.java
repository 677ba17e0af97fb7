package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Who signs in: the account's userPrincipalName (the on-the-fly certificate names it, and the KDC
 * maps it to the account) and the principal the AS-REQ asks for.
 *
 * <p>A UPN ({@code alice@keytrust.lab}) is asked for as an enterprise name (NT-ENTERPRISE, as
 * Windows does), in the realm given or else the UPN's domain in upper case. A plain account name
 * ({@code alice}, or {@code KEYTRUST\alice}) is asked for as {@code alice@REALM}, with the UPN
 * {@code alice@realm-in-lower-case}; it needs the realm.
 *
 * @param upn the userPrincipalName the certificate carries
 * @param client the principal the request names
 */
public record KinitAccount(String upn, KerberosName client) {

  public KinitAccount {
    Objects.requireNonNull(upn, "upn");
    Objects.requireNonNull(client, "client");
  }

  /** For messages: {@code alice@example.com (realm EXAMPLE.COM)}, or {@code alice@EXAMPLE.COM}. */
  public String describe() {
    return client.nameType() == KerberosName.NT_ENTERPRISE ? upn + " (realm " + client.realm() + ")"
        : client.toString();
  }

  /** The realm signed in to. */
  public String realm() {
    return client.realm();
  }

  /**
   * The account for the key store user {@code user} in {@code realm} (null: from the UPN).
   *
   * @throws AgentException KINIT_CONFIG when the name or realm is empty or malformed, or a plain
   *     name comes without a realm
   */
  public static KinitAccount of(String user, String realm) throws AgentException {
    Objects.requireNonNull(user, "user");
    String r = realm == null ? null : realm.strip();
    if (r != null && !validRealm(r)) {
      throw config("The realm '" + realm + "' is not a Kerberos realm name: give the Active Directory"
          + " domain's DNS name in upper case, e.g. EXAMPLE.COM.");
    }
    int at = user.lastIndexOf('@');
    if (at > 0 && at < user.length() - 1) {
      String domain = user.substring(at + 1);
      if (!validRealm(domain) || user.substring(0, at).isBlank()) {
        throw config("'" + user + "' is not a user principal name (name@domain).");
      }
      String useRealm = r != null ? r : domain.toUpperCase(Locale.ROOT);
      return new KinitAccount(user, new KerberosName(KerberosName.NT_ENTERPRISE, List.of(user), useRealm));
    }
    if (at >= 0) {
      throw config("'" + user + "' is not a user principal name (name@domain).");
    }
    String name = user.substring(user.lastIndexOf('\\') + 1).strip();
    if (name.isEmpty() || name.contains("/")) {
      throw config("'" + user + "' is not an account name.");
    }
    if (r == null) {
      throw config("The user '" + user + "' is not a UPN (name@domain), so the realm cannot be"
          + " derived from it: give the realm (the domain's DNS name in upper case).");
    }
    return new KinitAccount(name + "@" + r.toLowerCase(Locale.ROOT),
        new KerberosName(KerberosName.NT_PRINCIPAL, List.of(name), r));
  }

  private static boolean validRealm(String r) {
    return !r.isEmpty() && r.length() <= 255 && r.matches("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");
  }

  private static AgentException config(String message) {
    return new AgentException(AgentErrorCode.KINIT_CONFIG, message);
  }
}
