package dev.keytrust.lab;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.util.ssl.SSLUtil;
import dev.keytrust.agent.endpoint.ldap.BindCredentials;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The lab sync job's writes to a real LDAP directory (the Samba AD DC), over LDAPS, bound as the
 * sync service account of a credentials file in the LDAP endpoint's format, the way Entra Connect
 * writes msDS-KeyCredentialLink: not as an administrator but with the key-sync grant of the
 * "KeyCredential Admins" group. One connection per operation. A write refused for lack of rights
 * becomes a {@link LabException} naming the grant and the group.
 */
public final class LdapSyncDirectory implements SyncDirectory, AutoCloseable {
  private static final String ATTRIBUTE = "msDS-KeyCredentialLink";

  private final String host;
  private final int port;
  private final String baseDn;
  private final BindCredentials credentials;
  private final SSLSocketFactory sockets;

  private LdapSyncDirectory(String host, int port, String baseDn, BindCredentials credentials,
      SSLSocketFactory sockets) {
    this.host = host;
    this.port = port;
    this.baseDn = baseDn;
    this.credentials = credentials;
    this.sockets = sockets;
  }

  /**
   * @param caFile the PEM CA that issued the directory's certificate
   * @param credentialsFile {@code bind-dn=...}, {@code password=...} (0600)
   */
  public static LdapSyncDirectory open(String host, int port, String baseDn, Path caFile,
      Path credentialsFile) {
    Objects.requireNonNull(baseDn, "baseDn");
    try {
      BindCredentials credentials = BindCredentials.read(credentialsFile);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      try (var in = java.nio.file.Files.newInputStream(caFile)) {
        int i = 0;
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          trust.setCertificateEntry("ca-" + i++, (X509Certificate) c);
        }
      }
      TrustManagerFactory f = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      f.init(trust);
      return new LdapSyncDirectory(host, port, baseDn, credentials,
          new SSLUtil(f.getTrustManagers()).createSSLSocketFactory());
    } catch (KeytrustException e) {
      throw new LabException("Cannot read the sync account's credentials: " + e.getMessage(), e);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new LabException("Cannot set up TLS with " + caFile + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<String> findUserByUpn(String upn) {
    List<SearchResultEntry> found = search(Filter.createANDFilter(
        Filter.createEqualityFilter("objectClass", "user"),
        Filter.createEqualityFilter("userPrincipalName", upn)), "find " + upn);
    return found.size() == 1 ? Optional.of(found.get(0).getDN()) : Optional.empty();
  }

  @Override
  public List<String> entriesWithKeyCredentialLinks() {
    List<String> dns = new ArrayList<>();
    for (SearchResultEntry e : search(Filter.createANDFilter(
        Filter.createEqualityFilter("objectClass", "user"),
        Filter.createPresenceFilter(ATTRIBUTE)), "list users with keys")) {
      dns.add(e.getDN());
    }
    return dns;
  }

  @Override
  public List<String> keyCredentialLinks(String userDn) {
    try (LDAPConnection c = connect()) {
      SearchResultEntry e = c.getEntry(userDn, ATTRIBUTE);
      if (e == null) {
        throw new LabException("No entry " + userDn + " readable by " + credentials.bindDn());
      }
      String[] values = e.getAttributeValues(ATTRIBUTE);
      return values == null ? List.of() : List.of(values);
    } catch (LDAPException e) {
      throw failure(e, "read " + ATTRIBUTE + " of " + userDn);
    }
  }

  @Override
  public void addKeyCredentialLink(String userDn, String value) {
    modify(userDn, ModificationType.ADD, value, "add a value to");
  }

  @Override
  public void removeKeyCredentialLink(String userDn, String value) {
    modify(userDn, ModificationType.DELETE, value, "remove a value from");
  }

  private void modify(String userDn, ModificationType type, String value, String what) {
    try (LDAPConnection c = connect()) {
      c.modify(userDn, new Modification(type, ATTRIBUTE, value));
    } catch (LDAPException e) {
      throw failure(e, what + " " + ATTRIBUTE + " of " + userDn);
    }
  }

  private List<SearchResultEntry> search(Filter filter, String what) {
    try (LDAPConnection c = connect()) {
      SearchRequest r = new SearchRequest(baseDn, SearchScope.SUB, filter, "1.1");
      return c.search(r).getSearchEntries();
    } catch (LDAPException e) {
      throw failure(e, what);
    }
  }

  private LDAPConnection connect() throws LDAPException {
    LDAPConnection c = new LDAPConnection(sockets, host, port);
    byte[] password = credentials.password();
    try {
      c.bind(new SimpleBindRequest(credentials.bindDn(), password));
      return c;
    } catch (LDAPException e) {
      c.close();
      throw e;
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  private LabException failure(LDAPException e, String what) {
    String hint = e.getResultCode() == ResultCode.INSUFFICIENT_ACCESS_RIGHTS
        ? " The sync account " + credentials.bindDn() + " needs Read/Write property " + ATTRIBUTE
            + " on descendant User objects at the domain root: add it to \""
            + SambaDc.GROUP_KEY_CREDENTIAL_ADMINS + "\", which holds that grant."
        : "";
    return new LabException("The lab sync could not " + what + " at ldaps://" + host + ":" + port
        + " as " + credentials.bindDn() + ": " + e.getResultCode() + " "
        + Objects.requireNonNullElse(e.getDiagnosticMessage(), "") + "." + hint, e);
  }

  /** Wipes the sync account's password held since {@link #open}. */
  @Override
  public void close() {
    credentials.wipe();
  }

  @Override
  public String toString() {
    return "LdapSyncDirectory[ldaps://" + host + ":" + port + "/" + baseDn + " as "
        + credentials.bindDn() + "]";
  }
}
