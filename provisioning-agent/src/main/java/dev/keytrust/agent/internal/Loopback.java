package dev.keytrust.agent.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Whether a host of a URI is this machine's loopback, for the checks that allow a plain-text
 * protocol (http, ldap) only there. Names other than {@code localhost} are never resolved: a name
 * is not proof of a loopback path.
 */
public final class Loopback {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private Loopback() {}

  /** True for IP literals in 127.0.0.0/8 and {@code ::1}, with or without IPv6 brackets. */
  public static boolean isLiteral(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!IPV4.matcher(h).matches() && !h.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress(); // a literal: no look-up
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** {@link #isLiteral} or the name {@code localhost}. */
  public static boolean isLiteralOrLocalhost(String host) {
    return host.equalsIgnoreCase("localhost") || isLiteral(host);
  }
}
