package dev.keytrust.nativeio;

import static dev.keytrust.nativeio.TpmCommands.GET_RANDOM_16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The transport's framing, timeout and failure handling over an AF_UNIX socketpair, with the test
 * playing the TPM on the other end.
 */
@EnabledOnOs(OS.LINUX)
class FdTransportTest {
  private int[] pair;
  private FdTransport transport;

  @BeforeEach
  void connect() throws Exception {
    pair = TestSockets.socketPair();
    transport = new FdTransport(LinuxLibC.get(), pair[0], "socketpair", Duration.ofMillis(200));
  }

  @AfterEach
  void disconnect() throws Exception {
    transport.close();
    TestSockets.close(pair[1]);
  }

  @Test
  void nobodyAnswersSoPollTimesOut() throws Exception {
    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
        .hasMessageStartingWith("TPM2_GetRandom got no answer from")
        .hasMessageContaining("within 200 ms")
        .hasMessageContaining("waiting for the response")
        .hasMessageContaining("socketpair");
    // the command itself went out whole
    assertThat(TestSockets.readBlocking(pair[1], GET_RANDOM_16.length)).isEqualTo(GET_RANDOM_16);
  }

  @Test
  void aCommandsOwnShorterTimeoutApplies() {
    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16, Duration.ofMillis(50)))
        .isInstanceOf(KeytrustException.class)
        .hasMessageStartingWith("TPM2_GetRandom got no answer from")
        .hasMessageContaining("within 50 ms");
  }

  @Test
  void aCommandsLongerTimeoutIsCappedByTheIoTimeout() {
    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16, Duration.ofSeconds(60)))
        .isInstanceOf(KeytrustException.class)
        .hasMessageContaining("within 200 ms");
  }

  @Test
  void afterATimeoutTheTransportRefusesFurtherCommands() throws Exception {
    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16)).isInstanceOf(KeytrustException.class);
    // a late answer must not be taken for the next command's response
    TestSockets.writeBlocking(pair[1], TpmCommands.response(0, new byte[18]));

    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
        .hasMessageContaining("unusable after an earlier failure");
  }

  @Test
  void aResponseArrivingInPiecesIsReassembled() throws Exception {
    byte[] response = TpmCommands.response(0, new byte[] {0, 4, 1, 2, 3, 4});
    CompletableFuture<byte[]> tpm =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                byte[] command = TestSockets.readBlocking(pair[1], GET_RANDOM_16.length);
                // header split inside the size field, then the rest in two writes
                for (int[] piece : new int[][] {{0, 3}, {3, 10}, {10, 12}, {12, response.length}}) {
                  TestSockets.writeBlocking(pair[1], Arrays.copyOfRange(response, piece[0], piece[1]));
                  Thread.sleep(20);
                }
                return command;
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    transport = new FdTransport(LinuxLibC.get(), pair[0], "socketpair", Duration.ofSeconds(30));

    byte[] received = transport.transmit(GET_RANDOM_16);

    assertThat(received).isEqualTo(response);
    assertThat(tpm.get(30, TimeUnit.SECONDS)).isEqualTo(GET_RANDOM_16);
  }

  @Test
  void theTpmClosingMidResponseIsATransportError() throws Exception {
    CompletableFuture<Void> tpm =
        CompletableFuture.runAsync(
            () -> {
              try {
                TestSockets.readBlocking(pair[1], GET_RANDOM_16.length);
                TestSockets.writeBlocking(pair[1], new byte[] {(byte) 0x80, 0x01, 0x00, 0x00});
                TestSockets.close(pair[1]);
                pair[1] = -1;
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    transport = new FdTransport(LinuxLibC.get(), pair[0], "socketpair", Duration.ofSeconds(30));

    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
        .hasMessageContaining("closed the connection after 4 response bytes");
    tpm.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aHeaderSizeOutsideTheTpmLimitsIsRejected() throws Exception {
    TestSockets.writeBlocking(
        pair[1], new byte[] {(byte) 0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0});

    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
        .hasMessageContaining("malformed response: header size 65536");
  }

  @Test
  void aCommandWhoseHeaderSizeIsWrongIsABug() {
    byte[] truncated = Arrays.copyOf(GET_RANDOM_16, 11);

    assertThatThrownBy(() -> transport.transmit(truncated))
        .isInstanceOf(KeytrustBugException.class)
        .hasMessageContaining("11 bytes, header size 12");
    assertThatThrownBy(() -> transport.transmit(new byte[3]))
        .isInstanceOf(KeytrustBugException.class);
  }

  @Test
  void closeReleasesTheDescriptor() throws Exception {
    transport.close();

    // the peer sees end of stream once our end is closed
    assertThat(TestSockets.readBlocking(pair[1], 1)).isEmpty();
  }

  @Test
  void timeoutMustBePositive() throws Exception {
    LibC libc = LinuxLibC.get();
    assertThatThrownBy(() -> new FdTransport(libc, 0, "x", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
