package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.asn1.ASN1Integer;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.net.SocketFactory;

/**
 * Checks the directory permissions that hybrid key trust needs for key synchronization, as the
 * deployment guide sets them up: a group ("KeyCredential Admins", or on Windows Server 2016+
 * domains the built-in "Key Admins", "Enterprise Key Admins" across a forest) holds an inheritable
 * grant at the domain root, Read and Write property msDS-KeyCredentialLink on descendant User
 * objects, and the sync service account is a member of that group.
 *
 * <p>It connects as the account of the LDAP endpoint's credentials file (same URI and settings as
 * the {@code ldaps} registration endpoint), reads the schema, the group, the domain root's DACL
 * (with the SD-flags control, so no owner or SACL rights are needed) and the account's token
 * groups (nested membership counts), and answers line by line: Yes, No or Not Tested, each with
 * the reason. It changes nothing.
 *
 * <pre>{@code
 * KeySyncPermissions.Report r = KeySyncPermissions.check(
 *     URI.create("ldaps://dc1.example.com/DC=example,DC=com"),
 *     new EndpointSettings(Map.of("credentials-file", "/etc/keytrust/sync.cred")),
 *     KeySyncPermissions.DEFAULT_GROUP, null);
 * r.lines().forEach(System.out::println);
 * }</pre>
 */
public final class KeySyncPermissions {

  /** The group the hybrid key trust guide creates. */
  public static final String DEFAULT_GROUP = LdapFailures.GROUP;
  /** The attribute the grant is about. */
  public static final String ATTRIBUTE = LdapFailures.ATTRIBUTE;

  /** LDAP_SERVER_SD_FLAGS_OID: ask for parts of nTSecurityDescriptor only. */
  static final String SD_FLAGS_CONTROL = "1.2.840.113556.1.4.801";
  /** DACL_SECURITY_INFORMATION. */
  static final int DACL_ONLY = 0x4;
  /** Everyone and Authenticated Users: a deny for them applies to every sync account. */
  static final Set<String> BROAD_SIDS = Set.of("S-1-1-0", "S-1-5-11");

  /** An answer, as the prerequisite report gives them. */
  public enum Answer {
    YES("Yes"),
    NO("No"),
    NOT_TESTED("Not Tested");

    private final String text;

    Answer(String text) {
      this.text = text;
    }

    /** "Yes", "No" or "Not Tested". */
    public String text() {
      return text;
    }
  }

  /** One checked item with its answer and why. */
  public record Line(String check, Answer answer, String detail) {
    public Line {
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(answer, "answer");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
      return check + " : " + answer.text() + " (" + detail + ")";
    }
  }

  /**
   * The whole answer.
   *
   * @param directory where it looked (no credentials)
   * @param domainRoot the object the grant must be on
   * @param group the group checked
   * @param account the account checked (the bind account unless another was named)
   */
  public record Report(String directory, String domainRoot, String group, String account,
      List<Line> lines) {
    public Report {
      lines = List.copyOf(lines);
    }

    /** True when every line is Yes: the account can keep msDS-KeyCredentialLink in sync. */
    public boolean granted() {
      return lines.stream().allMatch(l -> l.answer() == Answer.YES);
    }
  }

  private KeySyncPermissions() {}

  /**
   * Checks the grant and the membership.
   *
   * @param directory {@code ldaps://host[:port]/<base DN>} as for the LDAP endpoint; the domain
   *     root is the base DN's trailing DC= part
   * @param settings the LDAP endpoint's settings ({@code credentials-file}, {@code ca-file}, ...)
   * @param group the group that should hold the grant, by sAMAccountName or cn
   * @param account the account that should be a member, as a DN or sAMAccountName; null for the
   *     bind account of the credentials file
   * @throws AgentException bad input (URI, settings, files) or a directory that cannot be reached
   *     or bound to, with the LDAP endpoint's codes; what the account cannot read becomes a line
   */
  public static Report check(URI directory, EndpointSettings settings, String group, String account)
      throws AgentException {
    Objects.requireNonNull(group, "group");
    LdapEndpointConfig config = LdapEndpointConfig.parse(directory, settings);
    SocketFactory sockets = config.tls() ? LdapEndpointProvider.tlsSockets(config)
        : SocketFactory.getDefault();
    BindCredentials credentials = BindCredentials.read(config.credentialsFile());
    try {
      LdapFailures failures = new LdapFailures(config, credentials.bindDn());
      String who = account == null ? credentials.bindDn() : account;
      try (LDAPConnection c = new LdapConnector(config, credentials, sockets, failures).connect()) {
        return new Checker(c, config, failures, group, who).run();
      }
    } finally {
      credentials.wipe();
    }
  }

  /** One run over one connection. */
  private static final class Checker {
    private final LDAPConnection c;
    private final LdapEndpointConfig config;
    private final LdapFailures failures;
    private final String group;
    private final String account;
    private final String root;
    private final List<Line> lines = new ArrayList<>();

    Checker(LDAPConnection c, LdapEndpointConfig config, LdapFailures failures, String group,
        String account) {
      this.c = c;
      this.config = config;
      this.failures = failures;
      this.group = group;
      this.account = account;
      this.root = config.domainRoot().toString();
    }

    Report run() throws AgentException {
      UUID attribute = schemaGuid("attribute " + ATTRIBUTE, ATTRIBUTE);
      UUID userClass = schemaGuid("class user", "user");
      SearchResultEntry groupEntry = groupEntry();
      String groupSid = groupEntry == null ? null : sid(groupEntry);
      grant(attribute, userClass, groupSid);
      membership(groupEntry, groupSid);
      return new Report(config.describe(), root, group, account, lines);
    }

    private UUID schemaGuid(String what, String ldapDisplayName) throws AgentException {
      String schema = rootDse("schemaNamingContext");
      SearchResultEntry e = schema == null ? null
          : one(schema, SearchScope.ONE, Filter.createEqualityFilter("lDAPDisplayName",
              ldapDisplayName), "read the schema's " + what, "schemaIDGUID");
      byte[] guid = e == null ? null : e.getAttributeValueBytes("schemaIDGUID");
      String check = "Schema has " + what;
      if (guid == null || guid.length != 16) {
        lines.add(new Line(check, Answer.NO, schema == null
            ? "the server names no schemaNamingContext: is this Active Directory?"
            : ldapDisplayName + " is not in " + schema + (ATTRIBUTE.equals(ldapDisplayName)
                ? "; it arrived with the Windows Server 2016 schema (adprep /forestprep, or add it"
                    + " by hand on a lab DC)" : "")));
        return null;
      }
      UUID id = SecurityDescriptor.guid(guid, 0);
      lines.add(new Line(check, Answer.YES, "schemaIDGUID " + id));
      return id;
    }

    private SearchResultEntry groupEntry() throws AgentException {
      Filter f = Filter.createANDFilter(Filter.createEqualityFilter("objectClass", "group"),
          Filter.createORFilter(Filter.createEqualityFilter("sAMAccountName", group),
              Filter.createEqualityFilter("cn", group)));
      SearchResultEntry e = one(root, SearchScope.SUB, f, "find the group " + group, "objectSid");
      String check = "Group \"" + group + "\" exists";
      if (e == null || e.getAttributeValueBytes("objectSid") == null) {
        lines.add(new Line(check, Answer.NO, "no group with that sAMAccountName or cn under " + root
            + " (readable by this account); create it, or on Windows Server 2016+ domains use"
            + " \"" + LdapFailures.BUILTIN_GROUP + "\""));
        return null;
      }
      lines.add(new Line(check, Answer.YES, e.getDN() + ", " + sid(e)));
      return e;
    }

    private void grant(UUID attribute, UUID userClass, String groupSid) throws AgentException {
      String check = "Grant at " + root + ": Read/Write property " + ATTRIBUTE
          + " on descendant User objects, for \"" + group + "\"";
      if (attribute == null || userClass == null || groupSid == null) {
        lines.add(new Line(check, Answer.NOT_TESTED, "needs the attribute, the user class and the"
            + " group, see above"));
        return;
      }
      SearchRequest request = new SearchRequest(root, SearchScope.BASE,
          Filter.createPresenceFilter("objectClass"), "nTSecurityDescriptor");
      request.addControl(new Control(SD_FLAGS_CONTROL, true,
          new ASN1OctetString(new ASN1Sequence(new ASN1Integer(DACL_ONLY)).encode())));
      byte[] sd;
      try {
        SearchResultEntry e = c.searchForEntry(request);
        sd = e == null ? null : e.getAttributeValueBytes("nTSecurityDescriptor");
      } catch (LDAPException e) {
        throw failures.search(e, "read the security descriptor of " + root);
      }
      if (sd == null) {
        lines.add(new Line(check, Answer.NOT_TESTED, "this account may not read the security"
            + " descriptor of " + root + " (Read permissions); ask a domain administrator to run"
            + " the check, or read it with dsacl"));
        return;
      }
      SecurityDescriptor dacl;
      try {
        dacl = SecurityDescriptor.parse(sd);
      } catch (IllegalArgumentException e) {
        lines.add(new Line(check, Answer.NOT_TESTED, "the security descriptor of " + root
            + " could not be read: " + e.getMessage()));
        return;
      }
      int rights = 0;
      boolean somewhereElse = false;
      for (SecurityDescriptor.Ace ace : dacl.dacl()) {
        if (ace.sid() == null) {
          continue;
        }
        boolean forAttribute = ace.objectType() == null || ace.objectType().equals(attribute);
        boolean forUsers = ace.inheritedObjectType() == null
            || ace.inheritedObjectType().equals(userClass);
        boolean inherited = (ace.flags() & SecurityDescriptor.CONTAINER_INHERIT) != 0;
        if (ace.denies() && forAttribute && forUsers && inherited
            && (ace.mask() & (SecurityDescriptor.READ_PROPERTY | SecurityDescriptor.WRITE_PROPERTY
                | SecurityDescriptor.GENERIC_ALL)) != 0
            && (ace.sid().equals(groupSid) || BROAD_SIDS.contains(ace.sid()))) {
          // a deny takes precedence over the allow in AD's canonical ACL order
          lines.add(new Line(check, Answer.NO, "an inheritable deny ACE for " + ace.sid()
              + " on " + ATTRIBUTE + " of User objects overrides any grant; remove it"));
          return;
        }
        if (ace.denies() || !ace.sid().equals(groupSid)) {
          continue;
        }
        if (forAttribute && forUsers && inherited) {
          rights |= (ace.mask() & SecurityDescriptor.GENERIC_ALL) != 0
              ? SecurityDescriptor.READ_PROPERTY | SecurityDescriptor.WRITE_PROPERTY : ace.mask();
        } else {
          somewhereElse = true;
        }
      }
      boolean canRead = (rights & SecurityDescriptor.READ_PROPERTY) != 0;
      boolean canWrite = (rights & SecurityDescriptor.WRITE_PROPERTY) != 0;
      if (canRead && canWrite) {
        lines.add(new Line(check, Answer.YES, "an inheritable allow ACE for " + groupSid));
        return;
      }
      String missing = !canRead && !canWrite ? "no inheritable allow ACE gives " + groupSid
          + " Read and Write property " + ATTRIBUTE + " on User objects"
          + (somewhereElse ? " (its ACEs there are for other properties, classes or this object"
              + " only)" : "")
          : "the group may only " + (canRead ? "read" : "write") + " " + ATTRIBUTE;
      lines.add(new Line(check, Answer.NO, missing + ". Add it as a domain administrator, e.g."
          + " dsacl:  samba-tool dsacl set --objectdn=\"" + root + "\" --sddl=\"(OA;CIIO;RPWP;"
          + attribute + ";" + userClass + ";" + groupSid + ")\"  or on Windows: dsacls \"" + root
          + "\" /I:S /G \"<domain>\\" + group + ":RPWP;" + ATTRIBUTE + ";user\""));
    }

    private void membership(SearchResultEntry groupEntry, String groupSid) throws AgentException {
      String check = "Account " + account + " is a member of \"" + group + "\"";
      if (groupEntry == null) {
        lines.add(new Line(check, Answer.NOT_TESTED, "the group was not found"));
        return;
      }
      String accountDn = accountDn();
      if (accountDn == null) {
        lines.add(new Line(check, Answer.NOT_TESTED, "no account " + account + " under " + root
            + " that this account may read"));
        return;
      }
      SearchResultEntry tokens;
      try {
        tokens = c.getEntry(accountDn, "tokenGroups", "memberOf");
      } catch (LDAPException e) {
        throw failures.search(e, "read the groups of " + accountDn);
      }
      Set<String> sids = new LinkedHashSet<>();
      if (tokens != null && tokens.hasAttribute("tokenGroups")) {
        for (byte[] sid : tokens.getAttributeValueByteArrays("tokenGroups")) {
          sids.add(SecurityDescriptor.sid(sid, 0, sid.length));
        }
        lines.add(sids.contains(groupSid)
            ? new Line(check, Answer.YES, "its token groups hold " + groupSid)
            : new Line(check, Answer.NO, "its token groups (nested membership included) lack "
                + groupSid + "; add " + accountDn + " to the group, then bind again"));
        return;
      }
      boolean direct = false;
      if (tokens != null && tokens.hasAttribute("memberOf")) {
        for (String dn : tokens.getAttributeValues("memberOf")) {
          direct |= KeyCredentialLinkValues.sameDn(dn, groupEntry.getDN());
        }
      }
      lines.add(direct
          ? new Line(check, Answer.YES, "memberOf names " + groupEntry.getDN())
          : new Line(check, Answer.NO, "memberOf does not name " + groupEntry.getDN()
              + " (token groups were not readable, so nested membership was not looked at)"));
    }

    private String accountDn() throws AgentException {
      if (account.contains("=")) {
        return account;
      }
      SearchResultEntry e = one(root, SearchScope.SUB,
          Filter.createEqualityFilter("sAMAccountName", account), "find the account " + account);
      return e == null ? null : e.getDN();
    }

    private String rootDse(String attribute) throws AgentException {
      try {
        SearchResultEntry e = c.getEntry("", attribute);
        return e == null ? null : e.getAttributeValue(attribute);
      } catch (LDAPException e) {
        throw failures.search(e, "read the root DSE");
      }
    }

    private SearchResultEntry one(String base, SearchScope scope, Filter filter, String what,
        String... attributes) throws AgentException {
      try {
        SearchRequest request = new SearchRequest(base, scope, filter, attributes);
        request.setSizeLimit(2);
        List<SearchResultEntry> found = c.search(request).getSearchEntries();
        return found.size() == 1 ? found.get(0) : null;
      } catch (LDAPException e) {
        throw failures.search(e, what);
      }
    }

    private static String sid(SearchResultEntry e) {
      byte[] sid = e.getAttributeValueBytes("objectSid");
      return SecurityDescriptor.sid(sid, 0, sid.length);
    }
  }
}
