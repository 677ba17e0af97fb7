package dev.keytrust.agent.kinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Kerberos over TCP: the length-prefixed exchange, and what an absent or strange KDC gives. */
class TcpKdcTransportTest {
  private static final Duration T = Duration.ofSeconds(2);

  @Test
  void aMessageGoesOutLengthPrefixedAndTheAnswerComesBack() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread kdc = new Thread(() -> {
        try (Socket s = server.accept()) {
          DataInputStream in = new DataInputStream(s.getInputStream());
          byte[] req = new byte[in.readInt()];
          in.readFully(req);
          DataOutputStream out = new DataOutputStream(s.getOutputStream());
          out.writeInt(req.length + 1);
          out.write(req);
          out.write(0x7E);
        } catch (Exception ignored) {
          // the test fails on the client side
        }
      });
      kdc.start();
      byte[] answer = new TcpKdcTransport(new KdcAddress("127.0.0.1", server.getLocalPort()), T, T)
          .exchange(new byte[] {1, 2, 3});
      assertThat(answer).containsExactly(1, 2, 3, 0x7E);
      kdc.join();
    }
  }

  @Test
  void aClosedPortAnUnknownNameAndASilentServerAreUnreachable() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertUnreachable(new KdcAddress("127.0.0.1", closed), "connection refused");
    assertUnreachable(new KdcAddress("kdc.invalid", 88), "does not resolve");
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertUnreachable(new KdcAddress("127.0.0.1", silent.getLocalPort()), "did not answer within 2 s");
    }
  }

  @Test
  void aHugeLengthIsNoKerberos() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread http = new Thread(() -> {
        try (Socket s = server.accept()) {
          s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
          s.getInputStream().readAllBytes(); // until the client closes: no reset in its face
        } catch (Exception ignored) {
          // closed by the client
        }
      });
      http.start();
      Throwable t = catchThrowable(() -> new TcpKdcTransport(
          new KdcAddress("127.0.0.1", server.getLocalPort()), T, T).exchange(new byte[] {1}));
      assertThat(((KeytrustException) t).code()).isEqualTo(AgentErrorCode.KINIT_KDC_REPLY_INVALID);
      http.join();
    }
  }

  private static void assertUnreachable(KdcAddress address, String why) {
    Throwable t = catchThrowable(() -> new TcpKdcTransport(address, T, T).exchange(new byte[] {1}));
    assertThat(((KeytrustException) t).code()).isEqualTo(AgentErrorCode.KINIT_KDC_UNREACHABLE);
    assertThat(t.getMessage()).contains(why, address.toString());
  }
}
