package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.SSLSocketVerifier;
import dev.keytrust.agent.AgentException;
import java.security.cert.CertificateException;
import java.util.Arrays;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens bound connections for one configured directory: connect (TLS with the host name checked
 * for {@code ldaps}), simple bind with the credentials file's account, failures mapped by {@link
 * LdapFailures}. Shared by the registration endpoint and the key-sync permission check.
 */
final class LdapConnector {
  private static final Logger LOG = LoggerFactory.getLogger(LdapConnector.class);

  private final LdapEndpointConfig config;
  private final BindCredentials credentials;
  private final SocketFactory socketFactory;
  private final LdapFailures failures;

  LdapConnector(LdapEndpointConfig config, BindCredentials credentials, SocketFactory socketFactory,
      LdapFailures failures) {
    this.config = config;
    this.credentials = credentials;
    this.socketFactory = socketFactory;
    this.failures = failures;
  }

  LDAPConnection connect() throws AgentException {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(Math.toIntExact(config.connectTimeout().toMillis()));
    options.setResponseTimeoutMillis(config.responseTimeout().toMillis());
    options.setFollowReferrals(false);
    if (config.tls()) {
      options.setSSLSocketVerifier(new NameCheck());
    }
    LDAPConnection connection = new LDAPConnection(socketFactory, options);
    try {
      connection.connect(config.host(), config.port());
    } catch (LDAPException e) {
      connection.close();
      throw failures.connect(e);
    }
    byte[] password = credentials.password();
    try {
      connection.bind(new SimpleBindRequest(credentials.bindDn(), password));
      LOG.debug("Bound to {} as {}", config.describe(), credentials.bindDn());
      return connection;
    } catch (LDAPException e) {
      connection.close();
      throw failures.bind(e);
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  /**
   * Checks that the server's certificate names the host of the URI (UnboundID's check), and marks
   * a mismatch as a certificate problem so it is reported as an untrusted server.
   */
  private static final class NameCheck extends SSLSocketVerifier {
    private final HostNameSSLSocketVerifier delegate = new HostNameSSLSocketVerifier(true);

    @Override
    public void verifySSLSocket(String host, int port, SSLSocket socket) throws LDAPException {
      try {
        delegate.verifySSLSocket(host, port, socket);
      } catch (LDAPException e) {
        throw new LDAPException(e.getResultCode(), e.getMessage(),
            new CertificateException(e.getMessage(), e));
      }
    }
  }
}
