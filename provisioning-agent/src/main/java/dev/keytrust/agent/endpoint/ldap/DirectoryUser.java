package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.ldap.sdk.SearchResultEntry;
import java.util.List;
import java.util.Objects;

/**
 * A user object as the endpoint read it.
 *
 * @param dn the entry's DN as the server returned it (the owner DN of our value)
 * @param userPrincipalName its userPrincipalName, or {@code null} when not set or not readable
 * @param keyCredentialLinks its msDS-KeyCredentialLink values as returned (empty when none or
 *     not readable)
 */
record DirectoryUser(String dn, String userPrincipalName, List<String> keyCredentialLinks) {

  DirectoryUser {
    Objects.requireNonNull(dn, "dn");
    keyCredentialLinks = List.copyOf(keyCredentialLinks);
  }

  static DirectoryUser of(SearchResultEntry entry) {
    String[] values = entry.getAttributeValues(LdapKeyRegistrationEndpoint.KEY_CREDENTIAL_LINK);
    return new DirectoryUser(
        entry.getDN(),
        entry.getAttributeValue(LdapKeyRegistrationEndpoint.UPN),
        values == null ? List.of() : List.of(values));
  }
}
