package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the KDC listens: a host name or IP literal and a TCP port (88 unless given).
 *
 * @param host a DNS name, an IPv4 literal, or an IPv6 literal without brackets
 * @param port the TCP port
 */
public record KdcAddress(String host, int port) {
  /** The Kerberos port. */
  public static final int DEFAULT_PORT = 88;

  public KdcAddress {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty() || port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad KDC address " + host + ":" + port);
    }
  }

  /**
   * Reads {@code HOST}, {@code HOST:PORT}, {@code [IPv6]} or {@code [IPv6]:PORT}.
   *
   * @throws AgentException KINIT_CONFIG when it is none of those
   */
  public static KdcAddress parse(String text) throws AgentException {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    String host;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw bad(text);
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw bad(text);
        }
        port = rest.substring(1);
      }
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
        host = s; // a bare IPv6 literal
      } else if (colon >= 0) {
        host = s.substring(0, colon);
        port = s.substring(colon + 1);
      } else {
        host = s;
      }
    }
    if (host.isEmpty() || !host.matches("[A-Za-z0-9._:%-]+")) {
      throw bad(text);
    }
    int p = DEFAULT_PORT;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw bad(text);
      }
      if (p < 1 || p > 65535) {
        throw bad(text);
      }
    }
    return new KdcAddress(host, p);
  }

  /** The realm's DNS domain as the KDC host: Active Directory publishes its DCs under the domain name. */
  public static KdcAddress forRealm(String realm) {
    return new KdcAddress(realm.toLowerCase(Locale.ROOT), DEFAULT_PORT);
  }

  /** True when the host is an IP literal, not a name. */
  public boolean isIpLiteral() {
    return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static AgentException bad(String text) {
    return new AgentException(AgentErrorCode.KINIT_CONFIG, "'" + text + "' is not a KDC address:"
        + " give HOST or HOST:PORT (e.g. dc1.example.com or 10.0.0.5:88).");
  }
}
