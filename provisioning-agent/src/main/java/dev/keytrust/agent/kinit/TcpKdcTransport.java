package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.Durations;
import dev.keytrust.error.KeytrustException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * Kerberos over TCP (RFC 4120 section 7.2.2): each message is sent with its length as four
 * big-endian bytes first, one connection per exchange.
 */
public final class TcpKdcTransport implements KdcTransport {
  /** Replies larger than this are refused (a TGT with a large PAC is a few KiB). */
  static final int MAX_REPLY = 1 << 20;

  private final KdcAddress address;
  private final Duration connectTimeout;
  private final Duration readTimeout;

  public TcpKdcTransport(KdcAddress address, Duration connectTimeout, Duration readTimeout) {
    this.address = Objects.requireNonNull(address, "address");
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
  }

  public KdcAddress address() {
    return address;
  }

  @Override
  public byte[] exchange(byte[] request) throws KeytrustException {
    InetSocketAddress target;
    try {
      target = new InetSocketAddress(java.net.InetAddress.getByName(address.host()), address.port());
    } catch (UnknownHostException e) {
      throw unreachable("the name " + address.host() + " does not resolve");
    }
    try (Socket socket = new Socket()) {
      socket.connect(target, millis(connectTimeout));
      socket.setSoTimeout(millis(readTimeout));
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(request.length);
      out.write(request);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int length;
      try {
        length = in.readInt();
      } catch (EOFException e) {
        throw unreachable("it closed the connection without an answer");
      }
      if (length < 0 || length > MAX_REPLY) {
        throw new AgentException(AgentErrorCode.KINIT_KDC_REPLY_INVALID, "The KDC at " + address
            + " sent a reply of " + Integer.toUnsignedString(length) + " bytes (at most " + MAX_REPLY
            + " are taken): it does not speak Kerberos over TCP. Check the KDC address.");
      }
      byte[] reply = new byte[length];
      in.readFully(reply);
      return reply;
    } catch (SocketTimeoutException e) {
      throw unreachable(e.getMessage() != null && e.getMessage().contains("connect")
          ? "the connection timed out after " + Durations.human(connectTimeout)
          : "it did not answer within " + Durations.human(readTimeout));
    } catch (ConnectException e) {
      throw unreachable("connection refused");
    } catch (NoRouteToHostException e) {
      throw unreachable("no route to host");
    } catch (IOException e) {
      throw unreachable(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  private KeytrustException unreachable(String why) {
    return new AgentException(AgentErrorCode.KINIT_KDC_UNREACHABLE, "No KDC answered at " + address
        + " (" + why + "). Check the KDC address, that the domain controller runs and that TCP port "
        + address.port() + " is reachable from here.");
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  @Override
  public String toString() {
    return "tcp:" + address;
  }
}
