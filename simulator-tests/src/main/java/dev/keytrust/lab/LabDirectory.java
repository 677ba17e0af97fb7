package dev.keytrust.lab;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchEntry;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindResult;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.OperationType;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.schema.Schema;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lab Active Directory stand-in: an UnboundID in-memory LDAP server on 127.0.0.1 with the parts
 * of the AD schema that key trust touches, for tests of the LDAP registration endpoint.
 *
 * <ul>
 *   <li>Listeners: plain LDAP on a free 127.0.0.1 port always; LDAPS on another free port when
 *       started with {@link LabCertificates} ({@link #start(LabCertificates)}).
 *   <li>Naming context {@value #BASE_DN} (object class {@code domain}) with the container {@value
 *       #USERS_DN} (class {@code container}, as in AD).
 *   <li>Schema (the standard schema plus AD's definitions, with AD's OIDs): {@code
 *       msDS-KeyCredentialLink} (1.2.840.113556.1.4.2328, syntax Object(DN-Binary)
 *       1.2.840.113556.1.4.903, multi-valued, no equality rule published, as AD's subschema
 *       shows it), {@code userPrincipalName} and {@code sAMAccountName} (single-valued,
 *       case-insensitive), the structural class {@code user} (1.2.840.113556.1.5.9, under
 *       organizationalPerson) that may hold all three, and {@code container}.
 *   <li>Every operation except bind needs an authenticated connection (as in AD).
 *   <li>Access control switches: {@link #denyKeyCredentialLinkWrites(String)} makes any modify of
 *       msDS-KeyCredentialLink by that bind DN fail with insufficientAccessRights and AD's text
 *       ({@value #INSUFF_ACCESS_RIGHTS}); {@link #hideKeyCredentialLinkFrom(String)} drops the
 *       attribute from entries that bind DN reads (AD hides attributes without Read property).
 * </ul>
 *
 * <p>The helper methods ({@link #addUser}, {@link #keyCredentialLinks}, ...) act on the server
 * directly, as the directory administrator, so the access switches do not apply to them. Test
 * passwords are fixtures; they are not logged. {@link #close()} stops the server. Thread-safe.
 */
public final class LabDirectory implements SyncDirectory, AutoCloseable {
  /** The naming context. */
  public static final String BASE_DN = "DC=keytrust,DC=lab";
  /** The default container for users and bind accounts. */
  public static final String USERS_DN = "CN=Users," + BASE_DN;
  /** The attribute under test. */
  public static final String KEY_CREDENTIAL_LINK = "msDS-KeyCredentialLink";
  /** What AD says when a write is refused for lack of rights (diagnostic text of result 50). */
  public static final String INSUFF_ACCESS_RIGHTS =
      "00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0";

  static final String KEY_CREDENTIAL_LINK_OID = "1.2.840.113556.1.4.2328";
  static final String DN_BINARY_SYNTAX = "1.2.840.113556.1.4.903";
  private static final String LOOPBACK = "127.0.0.1";
  private static final Logger LOG = LoggerFactory.getLogger(LabDirectory.class);

  private final InMemoryDirectoryServer server;
  private final boolean ldaps;
  private final AccessSwitches access;

  private LabDirectory(InMemoryDirectoryServer server, boolean ldaps, AccessSwitches access) {
    this.server = server;
    this.ldaps = ldaps;
    this.access = access;
  }

  /** Starts with a plain LDAP listener only. */
  public static LabDirectory start() {
    return start(null);
  }

  /**
   * Starts with a plain LDAP listener and, when {@code certificates} is not null, an LDAPS listener
   * presenting its server certificate (which names 127.0.0.1 and localhost).
   *
   * @throws LabException when the server cannot be configured or started
   */
  public static LabDirectory start(LabCertificates certificates) {
    try {
      InetAddress loopback = InetAddress.getByName(LOOPBACK);
      InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE_DN);
      config.setSchema(Schema.mergeSchemas(Schema.getDefaultStandardSchema(), adSchema()));
      config.setAuthenticationRequiredOperationTypes(EnumSet.of(OperationType.ADD,
          OperationType.COMPARE, OperationType.DELETE, OperationType.EXTENDED,
          OperationType.MODIFY, OperationType.MODIFY_DN, OperationType.SEARCH));
      List<InMemoryListenerConfig> listeners = new ArrayList<>();
      listeners.add(InMemoryListenerConfig.createLDAPConfig("LDAP", loopback, 0, null));
      if (certificates != null) {
        listeners.add(InMemoryListenerConfig.createLDAPSConfig("LDAPS", loopback, 0,
            certificates.serverSslContext().getServerSocketFactory(),
            certificates.clientSslContext().getSocketFactory()));
      }
      config.setListenerConfigs(listeners);
      AccessSwitches access = new AccessSwitches();
      config.addInMemoryOperationInterceptor(access);

      InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
      server.add(new Entry(BASE_DN,
          new Attribute("objectClass", "top", "domain"), new Attribute("dc", "keytrust")));
      server.add(new Entry(USERS_DN,
          new Attribute("objectClass", "top", "container"), new Attribute("cn", "Users")));
      server.startListening();
      LabDirectory directory = new LabDirectory(server, certificates != null, access);
      LOG.debug("lab directory {} listening on {}", BASE_DN, directory.describeListeners());
      return directory;
    } catch (LDAPException | UnknownHostException e) {
      throw new LabException("Cannot start the lab directory: " + e.getMessage(), e);
    }
  }

  /** The plain LDAP port on 127.0.0.1. */
  public int ldapPort() {
    return server.getListenPort("LDAP");
  }

  /**
   * The LDAPS port on 127.0.0.1.
   *
   * @throws IllegalStateException when started without certificates
   */
  public int ldapsPort() {
    if (!ldaps) {
      throw new IllegalStateException("the lab directory was started without LDAPS");
    }
    return server.getListenPort("LDAPS");
  }

  /** {@code ldap://127.0.0.1:<port>/DC=keytrust,DC=lab}. */
  public URI ldapUri() {
    return URI.create("ldap://" + LOOPBACK + ":" + ldapPort() + "/" + BASE_DN);
  }

  /** {@code ldaps://127.0.0.1:<port>/DC=keytrust,DC=lab} (requires LDAPS). */
  public URI ldapsUri() {
    return URI.create("ldaps://" + LOOPBACK + ":" + ldapsPort() + "/" + BASE_DN);
  }

  /** Adds {@code OU=<name>} under the base DN and returns its DN. */
  public String addOrganizationalUnit(String name) {
    String dn = new DN(new RDN("OU", name), dnOf(BASE_DN)).toString();
    add(new Entry(dn, new Attribute("objectClass", "top", "organizationalUnit"),
        new Attribute("ou", name)));
    return dn;
  }

  /**
   * Adds a user object {@code CN=<cn>} under {@value #USERS_DN} and returns its DN.
   *
   * @param userPrincipalName the UPN, or null for none
   * @param accountName the sAMAccountName, or null for none
   */
  public String addUser(String cn, String userPrincipalName, String accountName) {
    return addUser(USERS_DN, cn, userPrincipalName, accountName);
  }

  /** As {@link #addUser(String, String, String)}, under {@code parentDn}. */
  public String addUser(String parentDn, String cn, String userPrincipalName, String accountName) {
    String dn = new DN(new RDN("CN", cn), dnOf(parentDn)).toString();
    Entry entry = new Entry(dn, new Attribute("objectClass", "top", "person",
        "organizationalPerson", "user"), new Attribute("cn", cn), new Attribute("sn", cn));
    if (userPrincipalName != null) {
      entry.addAttribute("userPrincipalName", userPrincipalName);
    }
    if (accountName != null) {
      entry.addAttribute("sAMAccountName", accountName);
    }
    add(entry);
    return dn;
  }

  /**
   * Adds a user object {@code CN=<cn>} under {@value #USERS_DN} that can bind with {@code
   * password}, and returns its DN (the bind DN). It has no userPrincipalName and the
   * sAMAccountName {@code cn}. The password array is not kept.
   */
  public String addBindAccount(String cn, char[] password) {
    String dn = new DN(new RDN("CN", cn), dnOf(USERS_DN)).toString();
    // the directory keeps these bytes as the stored password (the in-memory server does not copy
    // them), so they are not wiped here
    byte[] bytes = utf8(password);
    add(new Entry(dn, new Attribute("objectClass", "top", "person", "organizationalPerson",
        "user"), new Attribute("cn", cn), new Attribute("sn", cn),
        new Attribute("sAMAccountName", cn), new Attribute("userPassword", bytes)));
    return dn;
  }

  /** The user's msDS-KeyCredentialLink values as stored (empty when none). */
  @Override
  public List<String> keyCredentialLinks(String userDn) {
    try {
      Entry entry = server.getEntry(userDn);
      if (entry == null) {
        throw new LabException("No entry " + userDn + " in the lab directory");
      }
      String[] values = entry.getAttributeValues(KEY_CREDENTIAL_LINK);
      return values == null ? List.of() : List.of(values);
    } catch (LDAPException e) {
      throw new LabException("Cannot read " + userDn + ": " + e.getMessage(), e);
    }
  }

  /** Adds a msDS-KeyCredentialLink value verbatim, as an administrator (e.g. another tool's). */
  @Override
  public void addKeyCredentialLink(String userDn, String value) {
    modify(userDn, new Modification(ModificationType.ADD, KEY_CREDENTIAL_LINK, value));
  }

  /** Removes one msDS-KeyCredentialLink value verbatim, as an administrator (e.g. the sync job). */
  @Override
  public void removeKeyCredentialLink(String userDn, String value) {
    modify(userDn, new Modification(ModificationType.DELETE, KEY_CREDENTIAL_LINK, value));
  }

  /**
   * The DN of the user object (class {@code user}) whose userPrincipalName is {@code upn} (case
   * ignored, as AD compares it), anywhere under the base DN.
   *
   * @throws LabException when more than one user has it
   */
  @Override
  public Optional<String> findUserByUpn(String upn) {
    List<String> dns = searchDns(Filter.createANDFilter(
        Filter.createEqualityFilter("objectClass", "user"),
        Filter.createEqualityFilter("userPrincipalName", upn)));
    if (dns.size() > 1) {
      throw new LabException("More than one user has the userPrincipalName " + upn + ": " + dns);
    }
    return dns.stream().findFirst();
  }

  /** The DNs of the entries that hold at least one msDS-KeyCredentialLink value. */
  @Override
  public List<String> entriesWithKeyCredentialLinks() {
    return searchDns(Filter.createPresenceFilter(KEY_CREDENTIAL_LINK));
  }

  private List<String> searchDns(Filter filter) {
    try {
      List<String> dns = new ArrayList<>();
      for (SearchResultEntry e : server.search(BASE_DN, SearchScope.SUB, filter, "1.1")
          .getSearchEntries()) {
        dns.add(e.getDN());
      }
      return dns;
    } catch (LDAPException e) {
      throw new LabException("Cannot search the lab directory: " + e.getMessage(), e);
    }
  }

  /**
   * From now on, a modify of msDS-KeyCredentialLink on a connection bound as {@code bindDn} fails
   * with insufficientAccessRights (50) and the diagnostic {@value #INSUFF_ACCESS_RIGHTS}.
   */
  public void denyKeyCredentialLinkWrites(String bindDn) {
    access.denyWrites.add(dnOf(bindDn));
  }

  /** Undoes {@link #denyKeyCredentialLinkWrites(String)}. */
  public void allowKeyCredentialLinkWrites(String bindDn) {
    access.denyWrites.remove(dnOf(bindDn));
  }

  /**
   * From now on, entries read on a connection bound as {@code bindDn} lack msDS-KeyCredentialLink
   * (writes still work): an account with Write but no Read property.
   */
  public void hideKeyCredentialLinkFrom(String bindDn) {
    access.hideReads.add(dnOf(bindDn));
  }

  /** Stops the listeners and closes client connections. */
  @Override
  public void close() {
    server.shutDown(true);
  }

  @Override
  public String toString() {
    return "LabDirectory[" + BASE_DN + ", " + describeListeners() + "]";
  }

  private String describeListeners() {
    return "ldap://" + LOOPBACK + ":" + ldapPort()
        + (ldaps ? ", ldaps://" + LOOPBACK + ":" + ldapsPort() : "");
  }

  private void add(Entry entry) {
    try {
      server.add(entry);
    } catch (LDAPException e) {
      throw new LabException("Cannot add " + entry.getDN() + " to the lab directory: "
          + e.getMessage(), e);
    }
  }

  private void modify(String dn, Modification modification) {
    try {
      server.modify(dn, modification);
    } catch (LDAPException e) {
      throw new LabException("Cannot modify " + dn + " in the lab directory: " + e.getMessage(), e);
    }
  }

  private static DN dnOf(String dn) {
    try {
      return new DN(dn);
    } catch (LDAPException e) {
      throw new IllegalArgumentException("not a DN: '" + dn + "'", e);
    }
  }

  private static byte[] utf8(char[] password) {
    var buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    Arrays.fill(buffer.array(), (byte) 0);
    return bytes;
  }

  /** AD's definitions of the attributes and classes key trust touches, with AD's OIDs. */
  static Schema adSchema() throws LDAPException {
    return new Schema(new Entry("cn=schema",
        new Attribute("objectClass", "top", "ldapSubentry", "subschema"),
        new Attribute("attributeTypes",
            "( " + KEY_CREDENTIAL_LINK_OID + " NAME '" + KEY_CREDENTIAL_LINK + "' SYNTAX "
                + DN_BINARY_SYNTAX + " )",
            "( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch"
                + " SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
            "( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch"
                + " SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )"),
        new Attribute("objectClasses",
            "( 1.2.840.113556.1.5.9 NAME 'user' SUP organizationalPerson STRUCTURAL"
                + " MAY ( userPrincipalName $ sAMAccountName $ " + KEY_CREDENTIAL_LINK + " ) )",
            "( 1.2.840.113556.1.3.23 NAME 'container' SUP top STRUCTURAL MUST cn )")));
  }

  /** How many searches the directory has answered over LDAP since it started. */
  public int searches() {
    return access.searches.get();
  }

  /**
   * Waits until the directory has answered {@code count} searches since it started (a test that
   * must act after a client's first read waits for it instead of sleeping).
   *
   * @return false when {@code timeout} passed first
   */
  public boolean awaitSearches(int count, java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (access.searches) {
      while (access.searches.get() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        access.searches.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  /** Tracks who each connection is bound as, applies the access switches, and counts searches. */
  private static final class AccessSwitches extends InMemoryOperationInterceptor {
    final Set<DN> denyWrites = ConcurrentHashMap.newKeySet();
    final Set<DN> hideReads = ConcurrentHashMap.newKeySet();
    final java.util.concurrent.atomic.AtomicInteger searches = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<Long, DN> boundAs = new ConcurrentHashMap<>();

    @Override
    public void processSearchResult(com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchResult result) {
      synchronized (searches) {
        searches.incrementAndGet();
        searches.notifyAll();
      }
    }

    @Override
    public void processSimpleBindResult(InMemoryInterceptedSimpleBindResult bind) {
      if (bind.getResult().getResultCode() == ResultCode.SUCCESS) {
        try {
          boundAs.put(bind.getConnectionID(), new DN(bind.getRequest().getBindDN()));
        } catch (LDAPException e) {
          boundAs.remove(bind.getConnectionID());
        }
      } else {
        boundAs.remove(bind.getConnectionID());
      }
    }

    @Override
    public void processModifyRequest(InMemoryInterceptedModifyRequest modify)
        throws LDAPException {
      DN who = boundAs.get(modify.getConnectionID());
      if (who == null || !denyWrites.contains(who)) {
        return;
      }
      for (Modification m : modify.getRequest().getModifications()) {
        if (isKeyCredentialLink(m.getAttributeName())) {
          throw new LDAPException(ResultCode.INSUFFICIENT_ACCESS_RIGHTS,
              INSUFF_ACCESS_RIGHTS + "\n\u0000");
        }
      }
    }

    @Override
    public void processSearchEntry(InMemoryInterceptedSearchEntry entry) {
      DN who = boundAs.get(entry.getConnectionID());
      if (who != null && hideReads.contains(who)
          && entry.getSearchEntry().hasAttribute(KEY_CREDENTIAL_LINK)) {
        Entry copy = entry.getSearchEntry().duplicate();
        copy.removeAttribute(KEY_CREDENTIAL_LINK);
        entry.setSearchEntry(copy);
      }
    }

    private static boolean isKeyCredentialLink(String attribute) {
      String base = Attribute.getBaseName(attribute);
      return base.equalsIgnoreCase(KEY_CREDENTIAL_LINK)
          || base.equals(KEY_CREDENTIAL_LINK_OID);
    }
  }
}
