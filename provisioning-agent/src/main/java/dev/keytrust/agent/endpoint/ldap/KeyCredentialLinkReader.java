package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * Reads a user's msDS-KeyCredentialLink values over LDAP(S), as the account of the LDAP endpoint's
 * credentials file: the same URI ({@code ldaps://host[:port]/<base DN>}), settings ({@code
 * credentials-file}, {@code ca-file}, timeouts, {@code allow-plain-ldap}; see {@link
 * LdapEndpointProvider}), user search (userPrincipalName or sAMAccountName under the base DN) and
 * error codes as the registration endpoint. It only reads; each {@link #read} opens its own
 * connection, binds, searches and disconnects. {@link #close()} wipes the password.
 */
public final class KeyCredentialLinkReader implements AutoCloseable {

  /**
   * A user object and its values.
   *
   * @param dn the user's DN as the server returned it
   * @param userPrincipalName its userPrincipalName, or null when not set or not readable
   * @param values its msDS-KeyCredentialLink values (DN-Binary strings) as returned; empty when
   *     none or not readable
   */
  public record UserValues(String dn, String userPrincipalName, List<String> values) {
    public UserValues {
      Objects.requireNonNull(dn, "dn");
      values = List.copyOf(values);
    }
  }

  private final LdapEndpointConfig config;
  private final BindCredentials credentials;
  private final LdapConnector connector;
  private final LdapFailures failures;

  private KeyCredentialLinkReader(LdapEndpointConfig config, BindCredentials credentials,
      SocketFactory sockets) {
    this.config = config;
    this.credentials = credentials;
    this.failures = new LdapFailures(config, credentials.bindDn());
    this.connector = new LdapConnector(config, credentials, sockets, failures);
  }

  /**
   * Reads the URI, the settings and both files; does not contact the server.
   *
   * @throws AgentException bad input: LDAP_ENDPOINT_CONFIG, LDAP_CREDENTIALS_FILE, LDAP_CA_FILE
   */
  public static KeyCredentialLinkReader open(URI directory, EndpointSettings settings)
      throws AgentException {
    LdapEndpointConfig config = LdapEndpointConfig.parse(directory, settings);
    SocketFactory sockets = config.tls() ? LdapEndpointProvider.tlsSockets(config)
        : SocketFactory.getDefault();
    return new KeyCredentialLinkReader(config, BindCredentials.read(config.credentialsFile()),
        sockets);
  }

  /**
   * The one user whose userPrincipalName is {@code upn} (or whose sAMAccountName is {@code
   * accountName}) and its msDS-KeyCredentialLink values.
   *
   * @param accountName the sAMAccountName to accept as well, or null
   * @throws AgentException LDAP_UNREACHABLE, LDAP_TLS_UNTRUSTED, LDAP_BIND_FAILED,
   *     LDAP_USER_NOT_FOUND, LDAP_USER_AMBIGUOUS, LDAP_OPERATION_FAILED, LDAP_ENDPOINT_CONFIG (no
   *     such base DN)
   */
  public UserValues read(String upn, String accountName) throws AgentException {
    Objects.requireNonNull(upn, "upn");
    try (LDAPConnection connection = connector.connect()) {
      DirectoryUser user =
          UserSearch.find(connection, config, failures, credentials.bindDn(), upn, accountName);
      return new UserValues(user.dn(), user.userPrincipalName(), user.keyCredentialLinks());
    }
  }

  /** {@code ldaps://host:port/<base DN>}, no credentials. */
  public String describe() {
    return config.describe();
  }

  /** The account it binds as (not a secret). */
  public String bindDn() {
    return credentials.bindDn();
  }

  @Override
  public void close() {
    credentials.wipe();
  }
}
