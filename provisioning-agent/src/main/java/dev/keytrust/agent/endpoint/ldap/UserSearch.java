package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the one user object under the base DN whose userPrincipalName (or sAMAccountName) matches,
 * with its msDS-KeyCredentialLink values. Shared by the registration endpoint and the
 * KeyCredentialLink reader.
 */
final class UserSearch {
  static final String KEY_CREDENTIAL_LINK = LdapFailures.ATTRIBUTE;
  static final String UPN = "userPrincipalName";
  static final String ACCOUNT_NAME = "sAMAccountName";
  static final String USER_CLASS = "user";
  /** Matches shown when a search is ambiguous (one more is asked for, to know there are more). */
  static final int MATCHES_SHOWN = 5;

  private UserSearch() {}

  /**
   * @param accountName the sAMAccountName to accept as well, or null for the UPN alone
   * @throws AgentException LDAP_USER_NOT_FOUND, LDAP_USER_AMBIGUOUS, or the search's failure
   */
  static DirectoryUser find(LDAPConnection connection, LdapEndpointConfig config,
      LdapFailures failures, String bindDn, String upn, String accountName) throws AgentException {
    Filter byName = accountName == null
        ? Filter.createEqualityFilter(UPN, upn)
        : Filter.createORFilter(
            Filter.createEqualityFilter(UPN, upn),
            Filter.createEqualityFilter(ACCOUNT_NAME, accountName));
    Filter filter =
        Filter.createANDFilter(Filter.createEqualityFilter("objectClass", USER_CLASS), byName);
    SearchRequest request = new SearchRequest(config.baseDn().toString(), SearchScope.SUB,
        filter, KEY_CREDENTIAL_LINK, UPN, ACCOUNT_NAME);
    request.setSizeLimit(MATCHES_SHOWN + 1);
    List<SearchResultEntry> entries;
    try {
      entries = connection.search(request).getSearchEntries();
    } catch (LDAPSearchException e) {
      if (e.getResultCode() != ResultCode.SIZE_LIMIT_EXCEEDED) {
        throw failures.search(e, "search for the user " + who(upn, accountName));
      }
      entries = e.getSearchEntries();
    }
    if (entries.isEmpty()) {
      throw new AgentException(
          AgentErrorCode.LDAP_USER_NOT_FOUND,
          "No user object with " + who(upn, accountName) + " under " + config.baseDn() + " on "
              + config.host() + ". Check the user's UPN and account name, and that the base DN"
              + " in the endpoint URI contains the user; the account " + bindDn
              + " must also be allowed to read the user (directories hide what it cannot read).");
    }
    if (entries.size() > 1) {
      List<String> dns = new ArrayList<>();
      for (SearchResultEntry entry : entries.subList(0, Math.min(MATCHES_SHOWN, entries.size()))) {
        dns.add(entry.getDN());
      }
      throw new AgentException(
          AgentErrorCode.LDAP_USER_AMBIGUOUS,
          (entries.size() > MATCHES_SHOWN ? "More than " + MATCHES_SHOWN : entries.size())
              + " user objects match " + who(upn, accountName) + " under " + config.baseDn() + ": "
              + String.join("; ", dns) + ". keytrust uses exactly one user object: narrow the base DN in"
              + " the endpoint URI, or fix the duplicate userPrincipalName/sAMAccountName.");
    }
    return DirectoryUser.of(entries.get(0));
  }

  static String who(String upn, String accountName) {
    return UPN + "=" + upn + (accountName == null ? "" : " or " + ACCOUNT_NAME + "=" + accountName);
  }
}
