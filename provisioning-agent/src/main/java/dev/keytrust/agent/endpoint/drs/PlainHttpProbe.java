package dev.keytrust.agent.endpoint.drs;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks the host and port of an {@code https://} URI whether they speak plain HTTP: a TLS client's
 * hello to a plain HTTP server is either answered with an HTTP error (the JDK reports
 * "Unrecognized SSL message") or not at all (the server waits for the end of a request line that
 * never comes, and the TLS handshake runs into the connect timeout). Either is a wrong port or
 * scheme, not an outage: retrying cannot help.
 *
 * <p>The probe opens its own connection, sends {@code HEAD / HTTP/1.0} and reads the first line of
 * the answer. A TLS server answers that with an alert or closes the connection, so only a plain
 * HTTP server's status line is reported. No token or request body is ever sent.
 */
final class PlainHttpProbe {
  /** How many bytes of the answer are read: a status line, at most. */
  private static final int MAX_LINE = 96;

  private PlainHttpProbe() {}

  /**
   * The plain HTTP status line the server at {@code uri}'s host and port answers with, printable
   * ASCII only; empty when it does not answer in HTTP within {@code timeout} (a TLS server, a
   * silent one, or none).
   */
  static Optional<String> statusLine(URI uri, Duration timeout) {
    int port = uri.getPort() != -1 ? uri.getPort() : 443;
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), port), millis);
      s.setSoTimeout(millis);
      s.getOutputStream().write(("HEAD / HTTP/1.0\r\nHost: " + uri.getHost() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String line = firstLine(s.getInputStream());
      return line.startsWith("HTTP/") ? Optional.of(line) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String firstLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    while (b.length() < MAX_LINE) {
      int c = in.read();
      if (c == -1 || c == '\r' || c == '\n') {
        break;
      }
      b.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
    }
    return b.toString();
  }
}
