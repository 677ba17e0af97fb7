package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.Causes;
import dev.keytrust.error.Durations;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Turns LDAP failures into {@link AgentException}s with a KT-16xx code and a message that says what
 * failed, why (the server's result code and diagnostic text, quoted) and what to do. Messages name
 * the server, the bind DN, the user DN and the attribute; never the password.
 */
final class LdapFailures {
  static final String ATTRIBUTE = "msDS-KeyCredentialLink";
  static final String GROUP = "KeyCredential Admins";
  static final String BUILTIN_GROUP = "Key Admins";

  /** Active Directory's "data" sub-codes of a failed simple bind (AcceptSecurityContext). */
  private static final Map<String, String> AD_BIND_DATA =
      Map.of(
          "525", "the account does not exist",
          "52e", "the password is wrong",
          "530", "the account may not sign in at this time",
          "531", "the account may not sign in from this computer",
          "532", "the password has expired",
          "533", "the account is disabled",
          "701", "the account has expired",
          "773", "the password must be changed before the account can sign in",
          "775", "the account is locked out");

  private static final Pattern AD_DATA = Pattern.compile("data ([0-9a-fA-F]{3,8})");

  private final LdapEndpointConfig config;
  private final String bindDn;

  LdapFailures(LdapEndpointConfig config, String bindDn) {
    this.config = config;
    this.bindDn = bindDn;
  }

  /** Connecting (TCP and TLS) failed. */
  AgentException connect(LDAPException e) {
    AgentException tls = tls(e);
    if (tls != null) {
      return tls;
    }
    String server = config.host() + ":" + config.port();
    String why = e.getResultCode() == ResultCode.TIMEOUT
        ? "no answer within " + Durations.human(config.connectTimeout())
        : reason(e);
    return new AgentException(
        AgentErrorCode.LDAP_UNREACHABLE,
        "Cannot reach the LDAP server " + server + " (" + why + "). Check the host name and port"
            + " in " + config.describe() + " (LDAPS is usually port " + LdapEndpointConfig.LDAPS_PORT
            + "), that a domain controller answers there, and that no firewall blocks it; the"
            + " connect-timeout setting bounds the wait.",
        e);
  }

  /** The simple bind failed. */
  AgentException bind(LDAPException e) {
    AgentException transport = midOperation(e, "bind");
    if (transport != null) {
      return transport;
    }
    ResultCode rc = e.getResultCode();
    if (rc == ResultCode.INVALID_CREDENTIALS) {
      String detail = adBindDetail(e.getDiagnosticMessage());
      return new AgentException(
          AgentErrorCode.LDAP_BIND_FAILED,
          "The directory " + config.describe() + " refused the bind as " + bindDn
              + ": invalid credentials" + (detail == null ? "" : " (" + detail + ")")
              + server(e) + ". Check bind-dn and password in the credentials file "
              + config.credentialsFile() + ", and that the account is enabled and not locked"
              + " out.",
          e);
    }
    if (rc == ResultCode.STRONG_AUTH_REQUIRED || rc == ResultCode.CONFIDENTIALITY_REQUIRED) {
      return new AgentException(
          AgentErrorCode.LDAP_BIND_FAILED,
          "The directory " + config.describe() + " refused a simple bind without TLS" + server(e)
              + ". Use ldaps://" + config.host() + "/" + config.baseDn() + " with ca-file.",
          e);
    }
    return new AgentException(
        AgentErrorCode.LDAP_BIND_FAILED,
        "The directory " + config.describe() + " refused the bind as " + bindDn + " ("
            + reason(e) + "). Check bind-dn in the credentials file " + config.credentialsFile()
            + " and that the account may bind with a password.",
        e);
  }

  /** Searching for the user or reading it back failed. */
  AgentException search(LDAPException e, String what) {
    AgentException transport = midOperation(e, what);
    if (transport != null) {
      return transport;
    }
    if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
      return new AgentException(
          AgentErrorCode.LDAP_ENDPOINT_CONFIG,
          "The base DN " + config.baseDn() + " does not exist on " + config.host() + ":"
              + config.port() + server(e) + ". Fix the path of the endpoint URI, e.g. ldaps://"
              + config.host() + "/DC=example,DC=com for the domain example.com.",
          e);
    }
    return new AgentException(
        AgentErrorCode.LDAP_OPERATION_FAILED,
        "The directory " + config.describe() + " failed to " + what + " (" + reason(e)
            + "). Retry later; if it persists, give the server's message to the directory"
            + " administrator.",
        e);
  }

  /**
   * Adding ({@code add}) or removing our value on {@code userDn} failed with a result other than
   * attributeOrValueExists / noSuchAttribute, which the caller handles.
   */
  AgentException write(LDAPException e, String userDn, boolean add) {
    String verb = add ? "add a value to" : "remove a value from";
    AgentException transport = midOperation(e, verb + " " + ATTRIBUTE);
    if (transport != null) {
      return transport;
    }
    ResultCode rc = e.getResultCode();
    if (rc == ResultCode.INSUFFICIENT_ACCESS_RIGHTS) {
      return new AgentException(
          AgentErrorCode.LDAP_WRITE_DENIED,
          "The directory refused to " + verb + " " + ATTRIBUTE + " of " + userDn + " for "
              + bindDn + ": insufficient access rights" + server(e) + ". The account needs the"
              + " grant Read/Write property " + ATTRIBUTE + " on descendant User objects at the"
              + " domain root " + config.domainRoot() + ". Have a domain administrator add "
              + bindDn + " to the group \"" + GROUP + "\" that holds this grant, or on 2016+"
              + " domains (Windows Server 2016 or later domain controllers) to the built-in \""
              + BUILTIN_GROUP + "\" group; the membership applies from the next bind, so retry"
              + " afterwards.",
          e);
    }
    if (rc == ResultCode.UNDEFINED_ATTRIBUTE_TYPE || rc == ResultCode.OBJECT_CLASS_VIOLATION) {
      return new AgentException(
          AgentErrorCode.LDAP_WRITE_REFUSED,
          "The directory has no " + ATTRIBUTE + " for " + userDn + " (" + reason(e)
              + "). The attribute comes with the Windows Server 2016 schema: run adprep"
              + " /forestprep from a 2016 or later server (or extend the schema), then retry.",
          e);
    }
    if (rc == ResultCode.NO_SUCH_OBJECT) {
      return new AgentException(
          AgentErrorCode.LDAP_WRITE_REFUSED,
          "The user object " + userDn + " vanished while keytrust wrote to it (" + reason(e)
              + "): it was moved, renamed or deleted. Retry.",
          e);
    }
    return new AgentException(
        AgentErrorCode.LDAP_WRITE_REFUSED,
        "The directory refused to " + verb + " " + ATTRIBUTE + " of " + userDn + " ("
            + reason(e) + "). If the server rejects the value itself (constraint violation,"
            + " unwilling to perform), give this message to the directory administrator.",
        e);
  }

  /** A connection-level failure in the middle of an operation, or null. */
  private AgentException midOperation(LDAPException e, String what) {
    AgentException tls = tls(e);
    if (tls != null) {
      return tls;
    }
    ResultCode rc = e.getResultCode();
    if (rc == ResultCode.TIMEOUT) {
      return new AgentException(
          AgentErrorCode.LDAP_OPERATION_FAILED,
          "The directory " + config.describe() + " did not answer within "
              + Durations.human(config.responseTimeout()) + " to " + what + ". Retry; raise the"
              + " response-timeout setting if the server is slow.",
          e);
    }
    if (rc == ResultCode.SERVER_DOWN || rc == ResultCode.CONNECT_ERROR
        || rc == ResultCode.UNAVAILABLE || rc == ResultCode.BUSY) {
      return new AgentException(
          AgentErrorCode.LDAP_UNREACHABLE,
          "The LDAP server " + config.host() + ":" + config.port() + " dropped or refused the"
              + " connection during the attempt to " + what + " (" + reason(e) + "). Retry; check"
              + " that the domain controller is running.",
          e);
    }
    return null;
  }

  /** The failure was the TLS handshake or the server's certificate, or null. */
  private AgentException tls(LDAPException e) {
    CertificateException cert = Causes.find(e, CertificateException.class);
    SSLException ssl = Causes.find(e, SSLException.class);
    String server = config.host() + ":" + config.port();
    String anchors = config.caFile() == null
        ? "the JVM's default trust store" : "the ca-file " + config.caFile();
    if (cert != null) {
      return new AgentException(
          AgentErrorCode.LDAP_TLS_UNTRUSTED,
          "The LDAP server " + server + " presented a TLS certificate that " + anchors
              + " does not trust or that does not name " + config.host() + " ("
              + clean(cert.getMessage()) + "). Set ca-file to the PEM file of the CA that issued"
              + " the domain controller's certificate, and use the host name the certificate"
              + " names in the URI.",
          e);
    }
    if (ssl != null) {
      return new AgentException(
          AgentErrorCode.LDAP_TLS_UNTRUSTED,
          "The TLS handshake with the LDAP server " + server + " failed (" + clean(ssl.getMessage())
              + "). Check that the port speaks LDAPS (usually " + LdapEndpointConfig.LDAPS_PORT
              + ") and that its certificate comes from the CA in " + anchors + ".",
          e);
    }
    return null;
  }

  /** The result code by name and number, and the server's diagnostic text when it sent one. */
  static String reason(LDAPException e) {
    ResultCode rc = e.getResultCode();
    String diag = clean(e.getDiagnosticMessage());
    String base = rc.getName() + " (" + rc.intValue() + ")";
    if (!diag.isEmpty()) {
      return base + ", server said: " + diag;
    }
    String message = clean(e.getExceptionMessage());
    return message.isEmpty() ? base : base + ": " + message;
  }

  private static String server(LDAPException e) {
    String diag = clean(e.getDiagnosticMessage());
    return diag.isEmpty() ? "" : " (server said: " + diag + ")";
  }

  /** Explains an Active Directory bind failure from its "data NNN" sub-code, or null. */
  static String adBindDetail(String diagnostic) {
    if (diagnostic == null) {
      return null;
    }
    Matcher m = AD_DATA.matcher(diagnostic);
    return m.find() ? AD_BIND_DATA.get(m.group(1).toLowerCase(Locale.ROOT)) : null;
  }

  /** One line, no control characters (AD ends its messages with a newline and NUL). */
  static String clean(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return b.toString().trim().replaceAll(" {2,}", " ");
  }
}
