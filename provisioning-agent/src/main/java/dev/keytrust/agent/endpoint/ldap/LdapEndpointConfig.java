package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.Loopback;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where and how the LDAP endpoint connects, read from its URI and settings (see {@link
 * LdapEndpointProvider} for the documented forms). Holds paths, never the password.
 *
 * @param tls true for {@code ldaps}, false for plain {@code ldap}
 * @param host the host name or IP literal (IPv6 without brackets)
 * @param port the TCP port (389 / 636 by default)
 * @param baseDn the search base, from the URI path
 * @param credentialsFile the file with the bind DN and password
 * @param caFile the PEM file of trusted CA certificates, or {@code null} for the JVM's trust store
 * @param connectTimeout bound on connecting, including the TLS handshake
 * @param responseTimeout bound on each LDAP operation
 */
record LdapEndpointConfig(
    boolean tls,
    String host,
    int port,
    DN baseDn,
    Path credentialsFile,
    Path caFile,
    Duration connectTimeout,
    Duration responseTimeout) {

  static final String CREDENTIALS_FILE = "credentials-file";
  static final String CA_FILE = "ca-file";
  static final String CONNECT_TIMEOUT = "connect-timeout";
  static final String RESPONSE_TIMEOUT = "response-timeout";
  static final String ALLOW_PLAIN_LDAP = "allow-plain-ldap";
  static final Set<String> SETTING_NAMES =
      Set.of(CREDENTIALS_FILE, CA_FILE, CONNECT_TIMEOUT, RESPONSE_TIMEOUT, ALLOW_PLAIN_LDAP);

  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
  static final int LDAP_PORT = 389;
  static final int LDAPS_PORT = 636;

  private static final String EXAMPLE = "ldaps://dc.example.com/DC=example,DC=com";

  LdapEndpointConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(baseDn, "baseDn");
    Objects.requireNonNull(credentialsFile, "credentialsFile");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
  }

  /**
   * Reads {@code ldap[s]://host[:port]/<base DN>} and the settings. Touches no file and no network.
   *
   * @throws AgentException LDAP_ENDPOINT_CONFIG (bad input) for a malformed URI or setting, a
   *     missing credentials-file, or plain ldap to a host that is not loopback without {@code
   *     allow-plain-ldap=true}
   */
  static LdapEndpointConfig parse(URI uri, EndpointSettings settings) throws AgentException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean tls;
    if (scheme.equals("ldaps")) {
      tls = true;
    } else if (scheme.equals("ldap")) {
      tls = false;
    } else {
      throw config(uri, "the scheme must be ldaps (or ldap for loopback), as in " + EXAMPLE);
    }
    if (uri.isOpaque()) {
      throw config(uri, "expected " + scheme + "://host[:port]/<base DN>, as in " + EXAMPLE);
    }
    if (uri.getRawUserInfo() != null) {
      throw config(
          uri.getScheme() + "://" + "<user info removed>" + "@...",
          "credentials do not belong in the URI; put the bind DN and password in the file named"
              + " by the " + CREDENTIALS_FILE + " setting");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw config(uri, "the host name is missing or not a valid host name, as in " + EXAMPLE);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw config(
          uri,
          "LDAP URL attributes, scope and filter ('?...') are not used; the endpoint searches the"
              + " subtree under the base DN for the user. Give only " + scheme
              + "://host[:port]/<base DN>");
    }
    int port = uri.getPort() == -1 ? (tls ? LDAPS_PORT : LDAP_PORT) : uri.getPort();
    DN baseDn = baseDn(uri);

    boolean allowPlain = flag(settings, ALLOW_PLAIN_LDAP);
    if (!tls && !allowPlain && !isLoopback(host)) {
      throw new AgentException(
          AgentErrorCode.LDAP_ENDPOINT_CONFIG,
          "Refusing plain ldap:// to " + host + ": the bind password would cross the network in"
              + " clear. Use ldaps://" + hostForUri(host) + "/" + baseDn + " (with " + CA_FILE
              + " naming the CA of the directory's certificate), or set " + ALLOW_PLAIN_LDAP
              + "=true if the path to the server is protected otherwise.");
    }
    Path credentials =
        path(settings, CREDENTIALS_FILE)
            .orElseThrow(
                () ->
                    new AgentException(
                        AgentErrorCode.LDAP_ENDPOINT_CONFIG,
                        "The LDAP endpoint " + uri + " needs the setting " + CREDENTIALS_FILE
                            + "=<file>: a file readable only by its owner with the lines"
                            + " 'bind-dn=<DN of the account>' and 'password=<its password>'."));
    Path ca = path(settings, CA_FILE).orElse(null);
    if (ca != null && !tls) {
      throw new AgentException(
          AgentErrorCode.LDAP_ENDPOINT_CONFIG,
          "The setting " + CA_FILE + " is only used with ldaps://; use ldaps://"
              + hostForUri(host) + "/" + baseDn + " or remove " + CA_FILE + ".");
    }
    return new LdapEndpointConfig(
        tls,
        host,
        port,
        baseDn,
        credentials,
        ca,
        timeout(settings, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
        timeout(settings, RESPONSE_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT));
  }

  /** {@code ldaps://host:port/<base DN>}: no credentials, safe for messages and receipts. */
  String describe() {
    return (tls ? "ldaps" : "ldap") + "://" + hostForUri(host) + ":" + port + "/" + baseDn;
  }

  /**
   * The domain root of the base DN: its trailing {@code DC=} components (where Active Directory
   * grants rights on descendant user objects), or the base DN itself when it has none.
   */
  DN domainRoot() {
    DN dn = baseDn;
    DN root = null;
    while (dn != null && !dn.isNullDN()) {
      if (!dn.getRDN().hasAttribute("dc")) {
        root = null;
      } else if (root == null) {
        root = dn;
      }
      dn = dn.getParent();
    }
    return root == null ? baseDn : root;
  }

  /** {@code localhost} or an IP literal in 127.0.0.0/8 or {@code ::1}; see {@link Loopback}. */
  static boolean isLoopback(String host) {
    return Loopback.isLiteralOrLocalhost(host);
  }

  private static String hostForUri(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static DN baseDn(URI uri) throws AgentException {
    String path = uri.getPath();
    String dn = path == null || path.isEmpty() ? "" : path.substring(1);
    if (dn.isBlank()) {
      throw config(
          uri, "the base DN is missing: put it in the path, as in " + EXAMPLE);
    }
    try {
      return new DN(dn);
    } catch (LDAPException e) {
      throw new AgentException(
          AgentErrorCode.LDAP_ENDPOINT_CONFIG,
          "The base DN '" + dn + "' in the LDAP endpoint URI is not a valid DN ("
              + e.getMessage() + "). Write it as in " + EXAMPLE
              + " (percent-encode spaces as %20).",
          e);
    }
  }

  private static Optional<Path> path(EndpointSettings settings, String name)
      throws AgentException {
    Optional<String> value = settings.get(name);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (value.get().isBlank()) {
      throw setting(name, value.get(), "a file path");
    }
    try {
      return Optional.of(Path.of(value.get()));
    } catch (InvalidPathException e) {
      throw setting(name, value.get(), "a file path");
    }
  }

  private static boolean flag(EndpointSettings settings, String name) throws AgentException {
    try {
      return settings.bool(name).orElse(false);
    } catch (IllegalArgumentException e) {
      throw setting(name, settings.get(name).orElseThrow(), "true or false");
    }
  }

  private static Duration timeout(EndpointSettings settings, String name, Duration fallback)
      throws AgentException {
    Duration d;
    try {
      d = settings.duration(name).orElse(fallback);
    } catch (IllegalArgumentException e) {
      throw setting(name, settings.get(name).orElseThrow(),
          "a duration such as 10s or 500ms (no unit: seconds)");
    }
    if (d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
      throw setting(name, settings.get(name).orElseThrow(), "a duration above 0 and at most 10 min");
    }
    return d;
  }

  private static AgentException setting(String name, String value, String expected) {
    return new AgentException(
        AgentErrorCode.LDAP_ENDPOINT_CONFIG,
        "The LDAP endpoint setting " + name + "='" + value + "' is not valid: expected "
            + expected + ".");
  }

  private static AgentException config(Object uri, String what) {
    return new AgentException(
        AgentErrorCode.LDAP_ENDPOINT_CONFIG, "Invalid LDAP endpoint URI " + uri + ": " + what + ".");
  }
}
