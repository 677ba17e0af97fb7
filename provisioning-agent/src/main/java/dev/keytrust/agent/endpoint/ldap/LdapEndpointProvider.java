package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.util.ssl.SSLUtil;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpointProvider;
import dev.keytrust.agent.error.AgentErrorCode;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;
import javax.net.SocketFactory;

/**
 * The LDAP registration endpoint: adds the key's KeyCredentialLink, as the DN-Binary value {@code
 * B:<2n>:<HEX>:<user DN>}, to the msDS-KeyCredentialLink attribute of the user object, and removes
 * it again on unregister. Schemes {@code ldaps} and {@code ldap}.
 *
 * <p><b>URI:</b> {@code ldaps://host[:port]/<base DN>}, e.g. {@code
 * ldaps://dc1.example.com/DC=example,DC=com} (port 636 by default, 389 for {@code ldap}). The
 * subtree under the base DN is searched for the one object of class {@code user} whose
 * userPrincipalName equals the registration's UPN or whose sAMAccountName equals its account name.
 * Percent-encode spaces in the DN ({@code OU=Hello%20Users,...}). No user info, query or fragment.
 *
 * <p><b>Settings:</b>
 *
 * <ul>
 *   <li>{@code credentials-file} (required): the simple-bind account, a UTF-8 file with the lines
 *       {@code bind-dn=<DN>} and {@code password=<password, verbatim to the line end>}; it
 *       must not be readable or writable by other users ({@code chmod 600}). The account needs
 *       Read/Write property msDS-KeyCredentialLink on descendant User objects at the domain root,
 *       e.g. as a member of "KeyCredential Admins" or, on 2016+ domains, "Key Admins".
 *   <li>{@code ca-file} (ldaps only, optional): PEM file of the CA certificate(s) that issued the
 *       directory's certificate; without it the JVM's default trust store is used. The host name
 *       in the URI must be one the certificate names.
 *   <li>{@code connect-timeout} (default {@code 10s}) and {@code response-timeout} (default
 *       {@code 30s}): {@code <n>s}, {@code <n>ms} or plain seconds, at most 10 min.
 *   <li>{@code allow-plain-ldap} ({@code true|false}, default {@code false}): {@code ldap://}
 *       sends the password in clear, so it is refused unless the host is {@code localhost} or a
 *       loopback IP literal, or this is {@code true}.
 * </ul>
 *
 * <p>{@link #open} reads both files and fails then on a bad setting, so configuration errors show
 * before a key is created; it does not contact the server. Each register/unregister then opens its
 * own connection, binds, works and disconnects.
 */
public final class LdapEndpointProvider implements KeyRegistrationEndpointProvider {
  private final Clock clock;

  /** For {@link java.util.ServiceLoader}: receipts carry the system clock's time. */
  public LdapEndpointProvider() {
    this(Clock.systemUTC());
  }

  /** With the clock that stamps receipts. */
  public LdapEndpointProvider(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Set<String> schemes() {
    return Set.of("ldaps", "ldap");
  }

  @Override
  public Set<String> settingNames() {
    return LdapEndpointConfig.SETTING_NAMES;
  }

  /**
   * @throws AgentException bad input: LDAP_ENDPOINT_CONFIG (URI or setting), LDAP_CREDENTIALS_FILE
   *     (missing, accessible to others, malformed), LDAP_CA_FILE (missing or no certificate)
   */
  @Override
  public KeyRegistrationEndpoint open(URI uri, EndpointSettings settings) throws AgentException {
    LdapEndpointConfig config = LdapEndpointConfig.parse(uri, settings);
    SocketFactory sockets = config.tls() ? tlsSockets(config) : SocketFactory.getDefault();
    BindCredentials credentials = BindCredentials.read(config.credentialsFile());
    return new LdapKeyRegistrationEndpoint(config, credentials, sockets, clock);
  }

  static SocketFactory tlsSockets(LdapEndpointConfig config) throws AgentException {
    try {
      return new SSLUtil(TrustAnchors.load(config.caFile())).createSSLSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new AgentException(
          AgentErrorCode.LDAP_CA_FILE,
          "Cannot set up TLS for " + config.describe() + " (" + e.getMessage() + ").", e);
    }
  }
}
